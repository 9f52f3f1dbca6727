/**
 * In real Chromium: byte streams are parsed in a Web Worker by default, and the page gets the same
 * states, in the same order, as when it parses them itself; a Worker that cannot start changes
 * nothing but where the work happens.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPartialImagesStore,
  type PartialImageFrame,
  type PartialImagesState,
  type PartialImagesStoreOptions,
} from '../../src/core';
import { frameBlobDemand, takeFrameBlob } from '../../src/core/blob';
import { imageResponseEvents } from '../fixtures/events';
import { type FrameSet, smallFrames } from '../fixtures/frames';
import { sse } from '../fixtures/streams';

const frameSets = smallFrames;

/** A realistic response: real frames, two images, text, and a non-ASCII revised prompt. */
function realistic(set: FrameSet): string {
  const events = imageResponseEvents({
    items: 2,
    partials: 3,
    textDeltas: 20,
    format: set.format,
    size: `${set.width}x${set.height}`,
    frame: (_, k) => set.frames[Math.min(k, 3)] as string,
  }).map((event) => {
    const item = event.item as { type?: string; revised_prompt?: string } | undefined;
    if (event.type !== 'response.output_item.done' || item?.type !== 'image_generation_call') {
      return event;
    }
    return { ...event, item: { ...item, revised_prompt: 'A lighthouse — at “dusk” 🌅' } };
  });
  return sse(events);
}

/** A fetch-like `Response` whose body arrives in `size`-byte network chunks. */
function response(text: string, size = 16_384): Response {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/** Every state the store went through, with the arrival times left out. */
async function states(source: Response, options: PartialImagesStoreOptions = {}) {
  const store = createPartialImagesStore(options);
  const seen: PartialImagesState[] = [];
  store.subscribe((state) => seen.push(state));
  await store.consume(source);
  return JSON.parse(
    JSON.stringify(seen, (key, value) => (key === 'receivedAt' ? 0 : value)),
  ) as unknown[];
}

const RealWorker = globalThis.Worker;
afterEach(() => {
  globalThis.Worker = RealWorker;
  vi.restoreAllMocks();
});

describe('parsing in a Worker', () => {
  it('is the default in a browser, and gives the same state sequence as parsing in the page', async () => {
    let started = 0;
    let batches = 0;
    globalThis.Worker = class extends RealWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        started++;
        this.addEventListener('message', (event: MessageEvent<{ t: string }>) => {
          if (event.data.t === 'events') batches++;
        });
      }
    };
    for (const set of frameSets) {
      const text = realistic(set);
      const inWorker = await states(response(text));
      const inPage = await states(response(text), { worker: false });
      expect(inWorker).toEqual(inPage);
      expect(inWorker.length).toBeGreaterThan(10);
      expect(inWorker.at(-1)).toMatchObject({ status: 'completed', error: null });
    }
    // One shared Worker served every stream, and its events are what the page applied.
    expect(started).toBe(1);
    expect(batches).toBeGreaterThan(frameSets.length * 5);
  });

  it('falls back to the page when the Worker cannot start, with the same states', async () => {
    const text = realistic(frameSets[0] as FrameSet);
    const missing = () =>
      new Worker(new URL('./no-such-worker.js', import.meta.url), { type: 'module' });
    const fallback = await states(response(text), { worker: missing });
    expect(fallback).toEqual(await states(response(text), { worker: false }));
  });

  it('hands object-URL images the bytes the Worker decoded, with the frame: the page decodes no base64', async () => {
    const text = realistic(frameSets[1] as FrameSet);
    const fromBase64 = vi.spyOn(
      Uint8Array as unknown as { fromBase64: () => unknown },
      'fromBase64',
    );
    const atob = vi.spyOn(globalThis, 'atob');
    frameBlobDemand(1); // as an object-URL <ProgressiveImage> does while mounted
    try {
      const store = createPartialImagesStore();
      // Taken the moment the frame is in the state, as a render that follows the update does:
      // the Blob must already be there (it travels with the frame's event).
      const taken = new Map<PartialImageFrame, Blob | null>();
      store.subscribe((state) => {
        for (const item of state.items) {
          const frame = item.latest;
          if (!frame || taken.has(frame)) continue;
          // A preview settled as the final is the same picture: shown without a new Blob.
          const before = item.frames[item.frames.length - 2];
          if (before?.src === frame.src) continue;
          taken.set(frame, takeFrameBlob(frame));
        }
      });
      await store.consume(response(text));
      expect(store.getState().items.map((item) => item.final)).toHaveLength(2);
      expect(taken.size).toBeGreaterThanOrEqual(4);
      for (const [frame, blob] of taken) {
        expect(blob?.size).toBe(frame.byteLength);
        expect(blob?.type).toBe(frame.mimeType);
      }
      // The page read only the few characters of a header (format and size sniffing).
      const calls = [...fromBase64.mock.calls, ...atob.mock.calls];
      expect(calls.every((call) => String(call[0]).length < 100)).toBe(true);
    } finally {
      frameBlobDemand(-1);
    }
  });

  it('stops on abort: the status is aborted, frames stay, and the Worker stream is released', async () => {
    const text = realistic(frameSets[2] as FrameSet);
    const store = createPartialImagesStore();
    const bytes = new TextEncoder().encode(text);
    // Half the stream, then silence: a connection that hangs.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, bytes.length >> 1));
      },
    });
    const done = store.consume(
      new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    );
    await vi.waitFor(() => expect(store.getState().items[0]?.latest).not.toBeNull());
    store.abort();
    await done;
    expect(store.getState().status).toBe('aborted');
    expect(store.getState().items[0]?.latest).not.toBeNull();
    // The next stream uses the same Worker without trouble.
    expect((await states(response(text))).at(-1)).toMatchObject({ status: 'completed' });
  });
});
