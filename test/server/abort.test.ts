/**
 * Abort while an SDK stream is quiet: `store.abort()` (and so the React hook's `abort()` and its
 * unmount) must settle a `consume()` of an async iterable whose `next()` is pending, such as the
 * openai SDK's `Stream` while the model still works on the first frame, and abort the request.
 * An async generator queues `return()` behind a pending `next()`, so the core must not wait for
 * it; it aborts the `Stream`'s own `controller` instead.
 */

import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createPartialImagesStore } from '../../src/core';
import { imageResponseEvents } from '../fixtures/events';
import { sse } from '../fixtures/streams';
import { fakeFetch } from './support';

/** Event-loop turns (not time): enough for any settled promise chain to run. */
async function turns(n: number) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('core: abort while an SDK stream is quiet', () => {
  it('store.abort() settles consume() and aborts the openai request', async () => {
    const upstream = fakeFetch(() => ({
      chunks: [sse(imageResponseEvents().slice(0, 3))],
      hang: true, // the model is still thinking
    }));
    const openai = new OpenAI({ apiKey: 'sk-test', fetch: upstream.fetch, maxRetries: 0 });
    const stream = await openai.responses.create({ model: 'gpt-5', input: 'x', stream: true });
    const store = createPartialImagesStore();
    let settled = false;
    void store.consume(stream).then(() => {
      settled = true;
    });
    await turns(20);
    expect(store.getState().status).toBe('streaming');
    store.abort();
    await turns(50);
    expect(store.getState().status).toBe('aborted');
    expect(settled).toBe(true);
    expect(upstream.requests[0]?.signal?.aborted).toBe(true);
  });

  it('store.abort() settles consume() of a pending async generator', async () => {
    async function* thinking() {
      yield imageResponseEvents()[0];
      await new Promise(() => {});
    }
    const store = createPartialImagesStore();
    let settled = false;
    void store.consume(thinking()).then(() => {
      settled = true;
    });
    await turns(20);
    store.abort();
    await turns(50);
    expect(settled).toBe(true);
    expect(store.getState().status).toBe('aborted');
  });
});
