import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPartialImagesStore,
  normalizeEvent,
  PartialImagesError,
  type PartialImagesState,
} from '../../src/core';
import { imageResponseEvents } from '../fixtures/events';
import { byteStream, bytesOf, chunksOf, sleep, sse, sseResponse } from '../fixtures/streams';

// Any import of React from the core would now fail loudly.
vi.mock('react', () => ({}));

afterEach(() => {
  vi.useRealTimers();
});

const done = (state: PartialImagesState) => state.items.map((item) => [item.id, item.status]);

describe('the core has no React', () => {
  it('imports nothing from react under src/core', () => {
    const root = join(import.meta.dirname, '../../src/core');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).not.toMatch(/from\s+['"]react(-dom)?(\/[^'"]*)?['"]/);
      expect(text, file).not.toMatch(/import\(\s*['"]react/);
    }
  });
});

describe('createPartialImagesStore', () => {
  it('notifies subscribers on change only, and unsubscribes', () => {
    const store = createPartialImagesStore();
    const calls: string[] = [];
    const unsubscribe = store.subscribe((state, previous) =>
      calls.push(`${previous.status}->${state.status}`),
    );
    for (const event of imageResponseEvents({ textDeltas: 5 }))
      store.dispatch(normalizeEvent(event));
    // Text deltas, reasoning items and repeats change nothing and notify no one.
    store.dispatch(
      normalizeEvent({ type: 'response.output_text.delta', delta: 'late', sequence_number: 500 }),
    );
    expect(calls[0]).toBe('idle->streaming');
    expect(calls.at(-1)).toBe('streaming->completed');
    const count = calls.length;
    unsubscribe();
    store.reset();
    expect(calls).toHaveLength(count);
    expect(store.getState()).toBe(store.getInitialState());
  });

  it('never throws out of normalizeEvent and dispatch, whatever it is given, and a throwing listener cannot break it', async () => {
    const store = createPartialImagesStore();
    const thrown: unknown[] = [];
    const onError = (event: ErrorEvent | Error) => thrown.push(event);
    process.on('uncaughtException', onError as never);
    store.subscribe(() => {
      throw new Error('listener bug');
    });
    const hostile = Object.defineProperty({}, 'type', {
      get() {
        throw new Error('getter bug');
      },
    });
    for (const raw of [undefined, null, 42, 'text', [], {}, hostile, { type: 'error' }]) {
      expect(() => store.dispatch(normalizeEvent(raw))).not.toThrow();
    }
    expect(normalizeEvent(hostile)).toMatchObject({
      type: 'stream.error',
      fatal: false,
      error: { code: 'invalid-event' },
    });
    await sleep(0);
    process.off('uncaughtException', onError as never);
    expect(store.getState()).toMatchObject({ status: 'failed', error: { code: 'provider-error' } });
    // Every change reached the listener, whose throws surface (uncaught) without stopping it.
    expect(thrown.length).toBeGreaterThan(0);
    expect(thrown.every((error) => (error as Error).message === 'listener bug')).toBe(true);
  });

  it('consumes an SSE Response to completion', async () => {
    const store = createPartialImagesStore();
    await store.consume(sseResponse(sse(imageResponseEvents({ items: 2 }))));
    expect(store.getState().status).toBe('completed');
    expect(done(store.getState())).toEqual([
      ['ig_0', 'completed'],
      ['ig_1', 'completed'],
    ]);
  });

  it('consumes a byte stream, a promise of a Response, and a function of the signal', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const text = sse(imageResponseEvents());
    const a = createPartialImagesStore();
    await a.consume(byteStream(chunksOf(bytesOf(text), 7)));
    const b = createPartialImagesStore();
    await b.consume(Promise.resolve(sseResponse(text)));
    const c = createPartialImagesStore();
    let received: AbortSignal | null = null;
    await c.consume((signal) => {
      received = signal;
      return sseResponse(text);
    });
    expect(received).toBeInstanceOf(AbortSignal);
    for (const store of [a, b, c]) expect(store.getState()).toEqual(a.getState());
    expect(a.getState().status).toBe('completed');
  });

  it('consumes SDK-style async iterables, streams of objects, and plain iterables', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = imageResponseEvents({ items: 2 });
    async function* sdk() {
      yield* events;
    }
    const objects = new ReadableStream({
      start(controller) {
        for (const event of events) controller.enqueue(event);
        controller.close();
      },
    });
    const results = [];
    for (const source of [sdk(), objects, events]) {
      const store = createPartialImagesStore();
      await store.consume(source);
      results.push(store.getState());
    }
    expect(results[0]?.status).toBe('completed');
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('reads a JSON body that a provider sent instead of a stream', async () => {
    const store = createPartialImagesStore();
    const body = { created: 1, data: [{ b64_json: '/9j/4AAQSkZJRg', revised_prompt: 'A cat' }] };
    await store.consume(
      new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    );
    expect(store.getState()).toMatchObject({
      status: 'completed',
      items: [
        {
          id: 'image_0',
          status: 'completed',
          revisedPrompt: 'A cat',
          final: { mimeType: 'image/jpeg' },
        },
      ],
    });
  });

  it('turns an HTTP error into http-error with the provider message, and never rejects', async () => {
    const store = createPartialImagesStore();
    const body = {
      error: {
        message: 'Incorrect API key provided: sk-abc***.',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    };
    await expect(
      store.consume(new Response(JSON.stringify(body), { status: 401 })),
    ).resolves.toBeUndefined();
    expect(store.getState().status).toBe('failed');
    expect(store.getState().error).toBeInstanceOf(PartialImagesError);
    expect(store.getState().error).toMatchObject({
      code: 'http-error',
      httpStatus: 401,
      providerCode: 'invalid_api_key',
    });
    expect(store.getState().error?.message).toMatch(/^HTTP 401: Incorrect API key/);
  });

  it('reads only the first 64 KiB of an HTTP error body, and cancels the rest', async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk.slice()); // an endless error page
      },
      cancel() {
        cancelled = true;
      },
    });
    const store = createPartialImagesStore();
    await store.consume(new Response(body, { status: 502, statusText: 'Bad Gateway' }));
    expect(store.getState()).toMatchObject({
      status: 'failed',
      error: { code: 'http-error', httpStatus: 502 },
    });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(256 * 1024);
  });

  it('fails a stream that ends without a terminal event, keeping its frames', async () => {
    const events = imageResponseEvents({ partials: 2, ending: 'none', skipItemDone: true });
    const store = createPartialImagesStore();
    await store.consume(sseResponse(sse(events)));
    expect(store.getState()).toMatchObject({
      status: 'failed',
      error: { code: 'stream-truncated' },
    });
    expect(store.getState().items[0]?.frames).toHaveLength(2);
  });

  it('skips a malformed event and goes on; stops at [DONE]', async () => {
    const [first, ...rest] = imageResponseEvents();
    const text = `${sse([first])}data: {"type":"response.in_pro\n\n${sse(rest, { done: true })}data: {"after":"done"}\n\n`;
    const store = createPartialImagesStore();
    await store.consume(sseResponse(text));
    expect(store.getState().status).toBe('completed');
    expect(store.getState().error).toMatchObject({ code: 'malformed-json' });
    expect(done(store.getState())).toEqual([['ig_0', 'completed']]);
  });

  it('turns a source that throws into stream-error, keeping frames', async () => {
    const events = imageResponseEvents({ partials: 2 }).slice(0, 9);
    async function* broken() {
      yield* events;
      throw new Error('socket hang up');
    }
    const store = createPartialImagesStore();
    await store.consume(broken());
    expect(store.getState()).toMatchObject({ status: 'failed', error: { code: 'stream-error' } });
    expect(store.getState().error?.message).toContain('socket hang up');
    expect(store.getState().items[0]?.latest?.index).toBe(1);
  });

  it('aborts: the signal or abort() stops reading, cancels the body, keeps frames', async () => {
    vi.useFakeTimers();
    const events = imageResponseEvents({ partials: 3 });
    let cancelled = false;
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await sleep(10);
        const event = events[i++];
        if (event) controller.enqueue(bytesOf(sse([event])));
        else controller.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    const store = createPartialImagesStore();
    const controller = new AbortController();
    const consuming = store.consume(body, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(95); // 9 events: up to partial 1
    expect(store.getState().items[0]?.latest?.index).toBe(1);
    controller.abort();
    await vi.advanceTimersByTimeAsync(20);
    await consuming;
    expect(store.getState()).toMatchObject({ status: 'aborted', error: { code: 'aborted' } });
    expect(store.getState().items[0]).toMatchObject({ status: 'failed', latest: { index: 1 } });
    expect(cancelled).toBe(true);

    const second = createPartialImagesStore();
    const pending = second.consume(new Promise<Response>(() => {}));
    second.abort();
    await pending;
    expect(second.getState().status).toBe('aborted');
  });

  it('an invalid source is a typed error in state', async () => {
    const store = createPartialImagesStore();
    await store.consume(42 as never);
    expect(store.getState()).toMatchObject({ status: 'failed', error: { code: 'invalid-source' } });
  });

  it('resumes a dropped stream after the last sequence number, without duplicate frames', async () => {
    const events = imageResponseEvents({ items: 2, partials: 3, textDeltas: 4 });
    const full = sse(events);
    // The connection drops in the middle of the second image's first preview.
    const cutAt = full.indexOf('partial_image_b64', full.indexOf('"item_id":"ig_1"')) + 40;
    const resumes: (number | null)[] = [];
    const store = createPartialImagesStore({
      resume: (last, { responseId, attempt }) => {
        resumes.push(last);
        expect(responseId).toBe('resp_test');
        expect(attempt).toBe(1);
        // The server replays from an earlier point than asked (as the SDK's resume does).
        return sseResponse(sse(events.filter((e) => (e.sequence_number as number) >= 3)));
      },
    });
    const frames: number[] = [];
    store.subscribe((state, previous) => {
      for (const item of state.items) {
        const before = previous.items.find((p) => p.id === item.id);
        if (item.latest && item.latest !== before?.latest)
          frames.push(item.latest.sequenceNumber ?? -1);
      }
    });
    await store.consume(sseResponse(full.slice(0, cutAt)));
    expect(store.getState().status).toBe('completed');
    expect(resumes).toHaveLength(1);
    const lastBeforeCut = events
      .filter((e) => full.indexOf(JSON.stringify(e)) + JSON.stringify(e).length < cutAt)
      .at(-1);
    expect(resumes[0]).toBe(lastBeforeCut?.sequence_number);
    // Every frame arrived exactly once, in order.
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    expect(new Set(frames).size).toBe(frames.length);
    expect(frames).toHaveLength(8);
  });

  it('does not resume after a normal end or an abort, and stops after maxResumeAttempts', async () => {
    const resume = vi.fn(() => sseResponse(''));
    const a = createPartialImagesStore({ resume });
    await a.consume(sseResponse(sse(imageResponseEvents())));
    expect(resume).not.toHaveBeenCalled();
    const b = createPartialImagesStore({ resume, maxResumeAttempts: 2 });
    await b.consume(sseResponse(sse(imageResponseEvents({ ending: 'none' }))));
    expect(resume).toHaveBeenCalledTimes(2);
    expect(b.getState()).toMatchObject({ status: 'failed', error: { code: 'stream-truncated' } });
  });

  it('a new consume stops the previous one without touching the state it builds', async () => {
    const store = createPartialImagesStore();
    const never = store.consume(new ReadableStream({ start() {} }));
    const second = store.consume(sseResponse(sse(imageResponseEvents())));
    await Promise.all([never, second]);
    expect(store.getState().status).toBe('completed');
  });

  it('calls onEvent with every raw event and what it normalized to', async () => {
    const seen: [string, string | null][] = [];
    const store = createPartialImagesStore({
      onEvent: (raw, event) => seen.push([(raw as { type: string }).type, event?.type ?? null]),
    });
    await store.consume(imageResponseEvents({ textDeltas: 1 }));
    expect(seen).toContainEqual(['response.output_text.delta', null]);
    expect(seen).toContainEqual(['response.image_generation_call.partial_image', 'image.partial']);
  });
});
