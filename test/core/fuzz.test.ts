/**
 * Hostile and broken streams, fuzzed: the core's properties (`test/fuzz/properties.ts`) on a
 * time budget, each run from a new seed (`FUZZ_SEED` to pick one; a failure prints the seed and
 * path that replay it). Longer runs: `npm run fuzz -- --seconds 600`.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createPartialImagesStore } from '../../src/core';
import { imageResponseEvents } from '../fixtures/events';
import { smallFrames } from '../fixtures/frames';
import { sse, sseResponse } from '../fixtures/streams';
import { fuzzSeed, runBudgeted } from '../fuzz/budget';
import { coreProperties } from '../fuzz/properties';

/** The core's share of the ~30 s the fuzzers may add to `npm test`, split between properties. */
const BUDGET_MS = Number(process.env.FUZZ_CORE_MS) || 20_000;
const seed = fuzzSeed();
const perProperty = Math.floor(BUDGET_MS / coreProperties.length);

describe(`core fuzz (FUZZ_SEED=${seed})`, () => {
  for (const property of coreProperties) {
    it(property.name, { timeout: perProperty + 120_000 }, async () => {
      const result = await runBudgeted(property, {
        seed,
        ms: perProperty,
        replay: `npx vitest run --project core test/core/fuzz.test.ts -t "${property.name}"`,
      });
      expect(result.failure).toBeNull();
      // The budget bought something: a property that runs no case tests nothing.
      expect(result.cases).toBeGreaterThan(0);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// What a held-out fuzzer found before the rework: each case, pinned
// ---------------------------------------------------------------------------------------------

/** `gc()`, exposed at run time (vitest's workers do not start with `--expose-gc`). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function partial(seq: unknown, item: string, index: number, b64: string, outputIndex = 1) {
  return {
    type: 'response.image_generation_call.partial_image',
    sequence_number: seq,
    output_index: outputIndex,
    item_id: item,
    partial_image_index: index,
    partial_image_b64: b64,
  };
}

describe('regressions: an oversized data: line', () => {
  it('a 200 MB line in 1 MB chunks is refused while it streams; the events after it are read', async () => {
    const MiB = 1024 * 1024;
    const gc = exposeGc();
    const events = imageResponseEvents({ partials: 2 }); // ig_0 at output_index 1
    const before = sse(events.slice(0, 6)); // created … ig_0's first preview
    const after = sse(events.slice(6)); // its second preview, its final, response.completed
    const head = `event: response.image_generation_call.partial_image\ndata: ${JSON.stringify(
      partial(999, 'ig_big', 0, 'X'),
    ).slice(0, -3)}`; // …"partial_image_b64":" then 200 MB of base64
    const chunk = new Uint8Array(MiB).fill(0x41); // 'A'
    const total = 200;
    let pulled = 0;
    let peak = 0;
    let baseline = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 0) {
          controller.enqueue(new TextEncoder().encode(before + head));
          gc();
          baseline = process.memoryUsage().heapUsed;
        } else if (pulled <= total) {
          // A new buffer each time, as a socket gives; a GC every 10 MB measures what is held.
          if (pulled % 10 === 0) {
            gc();
            const { heapUsed, arrayBuffers } = process.memoryUsage();
            peak = Math.max(peak, heapUsed - baseline + Math.max(0, arrayBuffers - 2 * MiB));
          }
          controller.enqueue(chunk.slice());
        } else if (pulled === total + 1) {
          controller.enqueue(new TextEncoder().encode(`"}\n\n${after}`));
        } else {
          controller.close();
        }
        pulled++;
      },
    });
    const store = createPartialImagesStore({ worker: false, maxFrameBytes: 4 * MiB });
    await store.consume(source);
    const state = store.getState();
    expect(pulled).toBe(total + 3); // read to the end
    // Held while the line streamed: about maxFrameBytes plus a chunk, not the line.
    expect(peak).toBeLessThan(20 * MiB);
    expect(state.status).toBe('completed');
    const big = state.items.find((item) => item.id === 'ig_big');
    expect(big).toMatchObject({ status: 'failed', error: { code: 'frame-too-large' } });
    // The events after the line were read: ig_0 got its second preview and its final.
    expect(state.items.find((item) => item.id === 'ig_0')).toMatchObject({
      status: 'completed',
      final: { index: 2 },
    });
  });
});

describe('regressions: one corrupt sequence_number costs nothing', () => {
  const corrupt: [string, unknown, 'sse' | 'values'][] = [
    ['1e9', 1e9, 'sse'],
    ['a string', '7', 'sse'],
    ['a float', 6.5, 'sse'],
    ['NaN', Number.NaN, 'values'],
  ];
  for (const [name, value, form] of corrupt) {
    it(`${name}: later events apply, the final arrives, replays are still dropped`, async () => {
      const events = imageResponseEvents({ partials: 3 });
      // The first preview (seq 6) carries the corrupt number.
      const at = events.findIndex((event) => event.partial_image_index === 0);
      const damaged = events.map((event, i) =>
        i === at ? { ...event, sequence_number: value } : event,
      );
      // A duplicated delivery of the events after it, before the end.
      const end = damaged.length - 1;
      const replayed = [...damaged.slice(0, end), ...damaged.slice(at + 1, end), damaged[end]];
      // `onEvent` hears every event the decoder kept: a dropped replay never reaches it.
      let heard = 0;
      const store = createPartialImagesStore({
        worker: false,
        keepHistory: true,
        onEvent: () => {
          heard++;
        },
      });
      await store.consume(form === 'sse' ? sseResponse(sse(replayed)) : replayed);
      expect(heard).toBe(damaged.length);
      const state = store.getState();
      expect(state.status).toBe('completed');
      expect(state.error).toBeNull();
      const item = state.items[0];
      // All three previews and the final, each once.
      expect(item?.frames.map((frame) => frame.index)).toEqual([0, 1, 2, 3]);
      expect(item?.final?.index).toBe(3);
    });
  }

  it('1e9: a resume continues from the last real number, and its overlap is dropped', async () => {
    const events = imageResponseEvents({ partials: 3 });
    const at = events.findIndex((event) => event.partial_image_index === 1);
    const damaged = events.map((event, i) =>
      i === at ? { ...event, sequence_number: 1e9 } : event,
    );
    const cut = at + 2; // two events after the corrupt one arrive, then the connection drops
    const told: (number | null)[] = [];
    const store = createPartialImagesStore({
      worker: false,
      keepHistory: true,
      resume: (last) => {
        told.push(last);
        // The server replays from before what was asked, with its own (true) numbers.
        return sseResponse(
          sse(events.filter((e) => (e.sequence_number as number) > (last ?? -1) - 2)),
        );
      },
    });
    await store.consume(sseResponse(sse(damaged.slice(0, cut))));
    expect(told).toHaveLength(1);
    expect(told[0]).not.toBe(1e9);
    expect(told[0]).toBeLessThan(cut);
    const state = store.getState();
    expect(state.status).toBe('completed');
    expect(state.items[0]?.frames.map((frame) => frame.index)).toEqual([0, 1, 2, 3]);
  });
});

describe('regressions: Images API repeats', () => {
  const frames = smallFrames[2]?.frames ?? [];
  const images = (type: string, b64: string, index?: number) => ({
    type: `image_generation.${type}`,
    b64_json: b64,
    output_format: 'jpeg',
    ...(index === undefined ? {} : { partial_image_index: index }),
  });
  const stream = [
    images('partial_image', frames[0] as string, 0),
    images('partial_image', frames[1] as string, 1),
    images('completed', frames[3] as string),
  ];

  it('a repeated image_generation.completed makes no phantom second image', async () => {
    const store = createPartialImagesStore({ worker: false });
    await store.consume(sseResponse(sse([...stream, stream[2]])));
    const state = store.getState();
    expect(state.status).toBe('completed');
    expect(state.items).toHaveLength(1);
    expect(state.items[0]).toMatchObject({
      id: 'image_0',
      status: 'completed',
      final: { index: 2 },
    });
  });

  it('a partial replayed after the completed event opens nothing, and the stream completes', async () => {
    for (const replay of [stream[0], stream[1]]) {
      const store = createPartialImagesStore({ worker: false });
      await store.consume(sseResponse(sse([...stream, replay])));
      const state = store.getState();
      expect(state.status).toBe('completed');
      expect(state.error).toBeNull();
      expect(state.items).toHaveLength(1);
    }
  });
});

describe('regressions: the 100-image limit', () => {
  it('past 100 images: too-many-images, the rest refused, the first 100 still served', async () => {
    const b64 = smallFrames[1]?.frames[0] as string;
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < 120; i++) events.push(partial(events.length, `ig_${i}`, 0, b64, i));
    // After the limit: a second preview of the first image, and of one of the refused.
    events.push(partial(events.length, 'ig_0', 1, b64, 0));
    events.push(partial(events.length, 'ig_110', 1, b64, 110));
    const store = createPartialImagesStore({ worker: false });
    await store.consume(events);
    const state = store.getState();
    expect(state.items).toHaveLength(100);
    expect(state.items.at(-1)?.id).toBe('ig_99');
    expect(state.items[0]?.latest?.index).toBe(1);
    expect(state.items.some((item) => item.id === 'ig_110')).toBe(false);
    // The stream then ended without a terminal event: that error replaced the limit's.
    expect(state.error?.code).toBe('stream-truncated');
    const codes: string[] = [];
    const second = createPartialImagesStore({ worker: false });
    second.subscribe((s, previous) => {
      if (s.error !== previous.error && s.error) codes.push(s.error.code);
    });
    await second.consume(events);
    expect(codes[0]).toBe('too-many-images');
  });
});

describe('regressions: a resume that throws', () => {
  it('is retried like one that rejects', async () => {
    const events = imageResponseEvents({ partials: 2 });
    const cut = sse(events.slice(0, 7));
    const rest = () => sseResponse(sse(events));
    const outcome = async (fail: () => never | Promise<never>) => {
      let calls = 0;
      const attempts: number[] = [];
      const store = createPartialImagesStore({
        worker: false,
        resume: (_last, { attempt }) => {
          calls++;
          attempts.push(attempt);
          if (calls === 1) return fail() as never;
          return rest();
        },
      });
      await store.consume(sseResponse(cut));
      return { state: store.getState(), calls, attempts };
    };
    const throwing = await outcome(() => {
      throw new Error('resume threw');
    });
    const rejecting = await outcome(() => Promise.reject(new Error('resume rejected')));
    expect(throwing.calls).toBe(2);
    expect(throwing.attempts).toEqual([1, 2]);
    expect(throwing.state.status).toBe('completed');
    expect(throwing.calls).toBe(rejecting.calls);
    expect(throwing.state.status).toBe(rejecting.state.status);
    expect(throwing.state.items.map((item) => item.status)).toEqual(
      rejecting.state.items.map((item) => item.status),
    );
  });

  it('throwing every time: after maxResumeAttempts it fails as a rejecting one does', async () => {
    const cut = sse(imageResponseEvents({ partials: 2 }).slice(0, 7));
    const run = async (resume: () => never) => {
      const store = createPartialImagesStore({ worker: false, resume, maxResumeAttempts: 2 });
      await store.consume(sseResponse(cut));
      return store.getState();
    };
    let thrown = 0;
    let rejected = 0;
    const a = await run(() => {
      thrown++;
      throw new Error('down');
    });
    const b = await run(() => {
      rejected++;
      return Promise.reject(new Error('down')) as never;
    });
    expect(thrown).toBe(2);
    expect(rejected).toBe(2);
    expect(a.status).toBe('failed');
    expect(a.error?.code).toBe(b.error?.code);
    expect(a.items[0]?.latest?.index).toBe(b.items[0]?.latest?.index);
  });
});
