import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPartialImagesStore, type PartialImagesState, parseSSE } from '../../src/core';
import { sniffImageSize } from '../../src/core/sniff';
import {
  createReplay,
  type Replay,
  type ReplayOptions,
  smallFrames,
  type WireEvent,
} from '../../stories/replay';
import { collect, sseResponse } from '../fixtures/streams';

afterEach(() => {
  vi.useRealTimers();
});

/** Feeds SSE text (or byte chunks) through the core store and returns the final state. */
async function consume(body: string | readonly Uint8Array[]): Promise<PartialImagesState> {
  const store = createPartialImagesStore();
  await store.consume(sseResponse(typeof body === 'string' ? body : [...body]));
  return store.getState();
}

const imageEvents = (replay: Replay, type: string) =>
  replay.events.filter((e) => e.type === `response.image_generation_call.${type}`);

/** Asserts every image of `replay` completed with its frame set's MIME type, size and bytes. */
function expectAllImages(state: PartialImagesState, replay: Replay) {
  expect(state.status).toBe('completed');
  expect(state.error).toBeNull();
  expect(state.items).toHaveLength(replay.images.length);
  for (const [i, item] of state.items.entries()) {
    const set = replay.images[i];
    if (!set) throw new Error(`no frame set for item ${i}`);
    expect(item.status).toBe('completed');
    expect(item.final?.mimeType).toBe(set.mimeType);
    expect(item.final?.b64).toBe(set.frames[3]);
    expect(item.size).toEqual({ width: set.width, height: set.height });
    expect(sniffImageSize(item.final?.b64 ?? '', set.format)).toEqual(item.size);
  }
}

describe('createReplay: the wire events', () => {
  const scenarios: [string, ReplayOptions][] = [
    ['one image', {}],
    ['two images, one after the other', { images: 2 }],
    ['three images at once', { images: 3, parallel: true }],
    ['four images (scenes reused)', { images: 4, parallel: true }],
    ['an error', { images: 2, failure: 'error' }],
    ['a policy violation', { failure: 'policy' }],
    ['a cut', { images: 2, parallel: true, failure: 'cut' }],
    ['the generating quirk', { generatingQuirk: true }],
  ];

  for (const [name, options] of scenarios) {
    it(`${name}: sequence numbers rise by 1 from 0 across the response`, () => {
      const replay = createReplay(options);
      expect(replay.events.map((e) => e.sequence_number)).toEqual(replay.events.map((_, i) => i));
      expect(replay.times).toHaveLength(replay.events.length);
      expect(replay.times.every((t, i) => i === 0 || t >= (replay.times[i - 1] ?? 0))).toBe(true);
      for (const event of replay.events)
        expect(Object.keys(event).slice(0, 2)).toEqual(['type', 'sequence_number']);
    });
  }

  it('starts like the real capture and ends with response.completed repeating the images', () => {
    const replay = createReplay({ images: 2 });
    const [created, inProgress, reasoning] = replay.events;
    expect(created).toMatchObject({
      type: 'response.created',
      response: { status: 'in_progress', object: 'response', output: [] },
    });
    const tools = (created?.response as { tools?: unknown[] } | undefined)?.tools;
    expect(tools).toEqual([
      expect.objectContaining({
        type: 'image_generation',
        output_format: 'png',
        quality: 'medium',
      }),
    ]);
    expect(inProgress?.type).toBe('response.in_progress');
    expect(reasoning).toMatchObject({ output_index: 0, item: { type: 'reasoning' } });
    const deltas = replay.events.filter((e) => e.type === 'response.output_text.delta');
    const firstImage = replay.events.findIndex(
      (e) =>
        e.type === 'response.output_item.added' &&
        (e.item as { type: string }).type === 'image_generation_call',
    );
    const intro = deltas.filter((e) => e.sequence_number < firstImage).map((e) => e.delta);
    expect(intro.join('')).toMatch(/^Here are two images: /);
    expect(deltas.length).toBeGreaterThan(intro.length); // closing text after the images

    const added = replay.events.filter(
      (e) =>
        e.type === 'response.output_item.added' &&
        (e.item as { type: string }).type === 'image_generation_call',
    );
    expect(added.map((e) => e.item)).toEqual([
      {
        id: expect.stringMatching(/^ig_[0-9a-f]{50}$/),
        type: 'image_generation_call',
        status: 'in_progress',
      },
      { id: expect.stringMatching(/^ig_/), type: 'image_generation_call', status: 'in_progress' },
    ]);
    const partials = imageEvents(replay, 'partial_image');
    expect(partials.map((e) => e.partial_image_index)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Object.keys(partials[0] as WireEvent)).toEqual([
      'type',
      'sequence_number',
      'output_index',
      'item_id',
      'partial_image_index',
      'partial_image_b64',
      'size',
      'quality',
      'background',
      'output_format',
    ]);
    const last = replay.events.at(-1) as WireEvent;
    expect(last.type).toBe('response.completed');
    const output = (last.response as { output: { type: string; result?: string }[] }).output;
    expect(output.map((o) => o.type)).toEqual([
      'reasoning',
      'message',
      'image_generation_call',
      'image_generation_call',
      'message',
    ]);
    expect(output[2]).toEqual({
      id: added[0]?.item && (added[0].item as { id: string }).id,
      type: 'image_generation_call',
      status: 'completed',
      background: 'opaque',
      output_format: 'png',
      quality: 'medium',
      result: replay.images[0]?.frames[3],
      revised_prompt: expect.any(String),
      size: '256x256',
    });
  });

  it('is deterministic, and the seed (or prompt) changes ids and timings', () => {
    expect(createReplay({ prompt: 'a' }).sseText()).toBe(createReplay({ prompt: 'a' }).sseText());
    expect(createReplay({ prompt: 'a' }).times).not.toEqual(createReplay({ prompt: 'b' }).times);
    expect(createReplay({ seed: 1 }).responseId).not.toBe(createReplay({ seed: 2 }).responseId);
  });

  it('declares the API size on request', () => {
    const replay = createReplay({ scenes: ['city'], declaredSize: 'api' });
    expect(imageEvents(replay, 'partial_image')[0]?.size).toBe('1536x1024');
  });

  it('rejects counts out of range and unknown scenes', () => {
    expect(() => createReplay({ images: 5 })).toThrow(RangeError);
    expect(() => createReplay({ partials: 4 })).toThrow(RangeError);
    expect(() => createReplay({ scenes: ['moon'] })).toThrow(/scene "moon"/);
    expect(() => createReplay({ format: 'jpeg', scenes: ['city'] })).toThrow(RangeError);
  });
});

describe('createReplay: through the core', () => {
  it('parseSSE reads back exactly the events, with OpenAI framing', async () => {
    const replay = createReplay({ images: 2, parallel: true });
    const text = replay.sseText();
    expect(
      text.startsWith(
        'event: response.created\ndata: {"type":"response.created","sequence_number":0,',
      ),
    ).toBe(true);
    const messages = await collect(parseSSE(sseResponse(text)));
    expect(messages.map((m) => m.event)).toEqual(replay.events.map((e) => e.type));
    expect(messages.map((m) => JSON.parse(m.data))).toEqual(replay.events);
  });

  for (const [name, options] of [
    ['one image', {}],
    ['two images in sequence', { images: 2 }],
    ['three images at once', { images: 3, parallel: true }],
    ['four images, scenes reused', { images: 4 }],
    ['jpeg only', { format: 'jpeg', images: 2 }],
    ['no text, no reasoning', { introText: false, closingText: false, reasoning: false }],
  ] as [string, ReplayOptions][]) {
    it(`${name}: every image completes with the right MIME type and size`, async () => {
      const replay = createReplay(options);
      expectAllImages(await consume(replay.sseText()), replay);
    });
  }

  it('reuses the frame sets when there are more images than sets', () => {
    const replay = createReplay({ images: 4 });
    expect(replay.images.map((s) => s.scene)).toEqual(['sunset', 'city', 'forest', 'sunset']);
    expect(createReplay({ images: 2, scenes: ['city'] }).images.map((s) => s.scene)).toEqual([
      'city',
      'city',
    ]);
  });

  it('OpenRouter style: comments, no event lines, sequence_number last, [DONE]', async () => {
    const replay = createReplay({ images: 2 });
    const text = replay.sseText({ style: 'openrouter' });
    expect(text.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    expect(text).not.toMatch(/^event:/m);
    expect(text.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
    // Keep-alive comments fill the long waits for frames.
    expect(text.match(/^: OPENROUTER PROCESSING$/gm)?.length).toBeGreaterThan(2);
    const first = await collect(parseSSE(sseResponse(text)));
    expect(Object.keys(JSON.parse(first[0]?.data ?? '{}')).at(-1)).toBe('sequence_number');
    expectAllImages(await consume(text), replay);
  });

  it('generating quirk: no .completed event, done says "generating", the state completes', async () => {
    const replay = createReplay({ generatingQuirk: true, images: 2 });
    expect(imageEvents(replay, 'completed')).toHaveLength(0);
    const done = replay.events.filter(
      (e) =>
        e.type === 'response.output_item.done' &&
        (e.item as { type: string }).type === 'image_generation_call',
    );
    expect(done.map((e) => (e.item as { status: string }).status)).toEqual([
      'generating',
      'generating',
    ]);
    expectAllImages(await consume(replay.sseText()), replay);
  });

  it('fewer partials than requested: the final comes early and still completes', async () => {
    const replay = createReplay({ partials: 3, deliveredPartials: 1, images: 2 });
    expect(imageEvents(replay, 'partial_image').map((e) => e.partial_image_index)).toEqual([0, 0]);
    expectAllImages(await consume(replay.sseText()), replay);
  });

  it('error: a nested error event then response.failed → failed, provider-error, frames kept', async () => {
    const replay = createReplay({ images: 2, failure: 'error' });
    const [error, failed] = replay.events.slice(-2);
    expect(error).toEqual({
      type: 'error',
      sequence_number: replay.events.length - 2,
      error: {
        type: 'server_error',
        code: 'server_error',
        message: expect.any(String),
        param: null,
      },
    });
    expect(failed).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error' } },
    });
    const state = await consume(replay.sseText());
    expect(state.status).toBe('failed');
    expect(state.error?.code).toBe('provider-error');
    expect(state.error?.providerCode).toBe('server_error');
    expect(state.items.map((i) => i.status)).toEqual(['completed', 'failed']);
    expect(state.items[1]?.frames).toHaveLength(1);
  });

  it('policy: response.failed with image_content_policy_violation → response-failed', async () => {
    const replay = createReplay({ failure: 'policy' });
    expect(imageEvents(replay, 'partial_image')).toHaveLength(0);
    const state = await consume(replay.sseText());
    expect(state.status).toBe('failed');
    expect(state.error?.code).toBe('response-failed');
    expect(state.error?.providerCode).toBe('image_content_policy_violation');
    expect(state.items[0]?.status).toBe('failed');
  });

  it('cut: the bytes stop inside a base64 payload → stream-truncated, earlier frames kept', async () => {
    const replay = createReplay({ failure: 'cut' });
    expect(replay.truncated).toBe(true);
    const last = replay.events.at(-1) as WireEvent;
    expect(last).toMatchObject({
      type: 'response.image_generation_call.partial_image',
      partial_image_index: 1,
    });
    for (const style of ['openai', 'openrouter'] as const) {
      const text = replay.sseText({ style });
      const b64 = last.partial_image_b64 as string;
      expect(text.endsWith(b64.slice(0, b64.length >> 1))).toBe(true);
      expect(text).not.toContain('[DONE]');
      const state = await consume(text);
      expect(state.status).toBe('failed');
      expect(state.error?.code).toBe('stream-truncated');
      expect(state.items[0]?.frames.map((f) => f.index)).toEqual([0]);
    }
  });

  it('cut after the partials: the final image is what gets cut', () => {
    const replay = createReplay({ failure: 'cut', failAt: { afterPartials: 3 } });
    expect(replay.events.at(-1)?.type).toBe('response.output_item.done');
    expect(replay.sseText()).toMatch(/"result":"[A-Za-z0-9+/]+$/);
  });
});

describe('slow network', () => {
  it('cuts the bytes into 1–16 KiB pieces, across event boundaries, deterministically', async () => {
    const replay = createReplay({ images: 2, parallel: true });
    const text = replay.sseText();
    const schedule = replay.chunkSchedule({ network: 'slow' });
    const sizes = schedule.map((c) => c.value.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(16384);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(sizes.filter((n) => n >= 1024).length).toBeGreaterThan(sizes.length / 2);
    expect(new TextDecoder().decode(Buffer.concat(schedule.map((c) => c.value)))).toBe(text);
    expect(schedule.every((c, i) => i === 0 || c.at >= (schedule[i - 1]?.at ?? 0))).toBe(true);
    expect(replay.chunkSchedule({ network: 'slow' }).map((c) => c.value.length)).toEqual(sizes);
    expect(
      replay.chunkSchedule({ network: 'slow', seed: 7 }).map((c) => c.value.length),
    ).not.toEqual(sizes);
    // Some piece ends inside an event (not on a blank line).
    let offset = 0;
    const ends = schedule.map((c) => (offset += c.value.length));
    expect(ends.some((end) => text.slice(end - 2, end) !== '\n\n')).toBe(true);
    expectAllImages(await consume(schedule.map((c) => c.value)), replay);
  });

  it('a fast network sends one chunk per event at its time', () => {
    const replay = createReplay();
    const schedule = replay.chunkSchedule();
    expect(schedule.map((c) => c.at)).toEqual(replay.times);
  });
});

describe('pacing (fake timers)', () => {
  /** Starts iterating `iterable`, recording each value with its virtual time. */
  function record<T>(iterable: AsyncIterable<T>) {
    const start = Date.now();
    const got: { value: T; at: number }[] = [];
    const done = (async () => {
      for await (const value of iterable) got.push({ value, at: Date.now() - start });
    })();
    return {
      got,
      done: done.then(
        () => null,
        (error: unknown) => error,
      ),
    };
  }

  it('yields each event at its realistic time', async () => {
    vi.useFakeTimers();
    const replay = createReplay({ images: 2 });
    const { got, done } = record(replay.paced());
    await vi.advanceTimersByTimeAsync(replay.duration);
    expect(await done).toBeNull();
    expect(got.map((g) => g.value)).toEqual(replay.events);
    expect(got.map((g) => g.at)).toEqual(replay.times);

    // Realistic gaps: created at once, text ~30 ms apart, 1.5–4 s between frames.
    expect(replay.times[0]).toBe(0);
    const at = (e: WireEvent) => replay.times[e.sequence_number] as number;
    const partials = imageEvents(replay, 'partial_image');
    for (const [i, e] of partials.entries()) {
      const prev = partials[i - 1];
      if (prev && prev.item_id === e.item_id) {
        expect(at(e) - at(prev)).toBeGreaterThanOrEqual(1499);
        expect(at(e) - at(prev)).toBeLessThanOrEqual(4001);
      }
    }
    const deltas = replay.events.filter((e) => e.type === 'response.output_text.delta');
    expect(at(deltas[1] as WireEvent) - at(deltas[0] as WireEvent)).toBeGreaterThanOrEqual(14);
    expect(at(deltas[1] as WireEvent) - at(deltas[0] as WireEvent)).toBeLessThanOrEqual(46);
  });

  it('holds a frame back until its time, and speed scales the times', async () => {
    vi.useFakeTimers();
    const replay = createReplay();
    const p = imageEvents(replay, 'partial_image')[1] as WireEvent;
    const t = replay.times[p.sequence_number] as number;
    for (const speed of [1, 4]) {
      const { got, done } = record(replay.paced({ speed }));
      await vi.advanceTimersByTimeAsync(Math.round(t / speed) - 1);
      expect(got.map((g) => g.value)).not.toContain(p);
      await vi.advanceTimersByTimeAsync(1);
      expect(got.at(-1)?.value).toBe(p);
      expect(got.at(-1)?.at).toBe(Math.round(t / speed));
      await vi.advanceTimersByTimeAsync(replay.duration);
      expect(await done).toBeNull();
      expect(got.map((g) => g.at)).toEqual(replay.times.map((x) => Math.round(x / speed)));
    }
  });

  it('speed Infinity is instant: no timers at all', async () => {
    vi.useFakeTimers();
    const replay = createReplay({ images: 3 });
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    expect(await collect(replay.paced({ speed: Number.POSITIVE_INFINITY }))).toEqual(replay.events);
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    await expect(replay.paced({ speed: 0 }).next()).rejects.toThrow(RangeError);
  });

  it('abort stops at once and leaves no timer', async () => {
    vi.useFakeTimers();
    const replay = createReplay({ images: 2 });
    const controller = new AbortController();
    const { got, done } = record(replay.paced({ signal: controller.signal }));
    const t = 5000;
    await vi.advanceTimersByTimeAsync(t);
    const count = replay.times.filter((x) => x <= t).length;
    expect(got).toHaveLength(count);
    controller.abort();
    expect(((await done) as Error).name).toBe('AbortError');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(replay.duration);
    expect(got).toHaveLength(count);
  });

  it('a cut replay ends the event iteration without the cut event', async () => {
    vi.useFakeTimers();
    const replay = createReplay({ failure: 'cut' });
    const { got, done } = record(replay.paced());
    await vi.advanceTimersByTimeAsync(replay.duration);
    expect(await done).toBeNull();
    expect(got.map((g) => g.value)).toEqual(replay.events.slice(0, -1));
  });

  it('response(): a paced fetch Response the store consumes at realistic speed', async () => {
    vi.useFakeTimers();
    const replay = createReplay({ images: 2, parallel: true });
    const store = createPartialImagesStore();
    const statuses: string[] = [];
    store.subscribe((s) => statuses.push(s.items.map((i) => i.status).join()));
    const done = store.consume(() => replay.response({ speed: 2, network: 'slow' }));
    await vi.advanceTimersByTimeAsync(replay.duration / 4);
    expect(store.getState().status).toBe('streaming');
    await vi.advanceTimersByTimeAsync(replay.duration);
    await done;
    expectAllImages(store.getState(), replay);
    expect(statuses).toContain('partial,partial');
  });

  it('response(): cancelling the body or aborting clears the pending timer', async () => {
    vi.useFakeTimers();
    const replay = createReplay();
    const reader = replay.response().body?.getReader();
    if (!reader) throw new Error('no body');
    expect((await reader.read()).done).toBe(false); // response.created, at once
    const pending = reader.read();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    await reader.cancel();
    expect((await pending).done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    const controller = new AbortController();
    const store = createPartialImagesStore();
    const consumed = store.consume(() => replay.response({ signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(3000);
    controller.abort();
    await consumed;
    expect(store.getState().status).toBe('failed');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('frames', () => {
  it('uses the committed small frames by default', () => {
    expect(smallFrames.map((s) => s.scene)).toEqual(['sunset', 'city', 'forest']);
    expect(createReplay({ scenes: ['forest'] }).images[0]).toBe(smallFrames[2]);
  });
});
