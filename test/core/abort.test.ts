/**
 * Abort while an SDK stream is quiet: `store.abort()` (and so the React hook's `abort()` and its
 * unmount) must settle a `consume()` of an async iterable whose `next()` is pending, such as the
 * openai SDK's `Stream` while the model still works on the first frame, and abort the request.
 * An async generator queues `return()` behind a pending `next()`, so the core must not wait for
 * it; it aborts the `Stream`'s own `controller` instead.
 */

import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { createPartialImagesStore } from '../../src/core';
import { imageResponseEvents } from '../fixtures/events';
import { sse } from '../fixtures/streams';
import { fakeFetch } from '../server/support';

vi.mock('react', () => ({}));

describe('abort while an SDK stream is quiet', () => {
  it('store.abort() settles consume() and aborts the openai request', async () => {
    const upstream = fakeFetch(() => ({
      chunks: [sse(imageResponseEvents().slice(0, 3))],
      hang: true, // the model is still thinking
    }));
    const openai = new OpenAI({ apiKey: 'sk-test', fetch: upstream.fetch, maxRetries: 0 });
    const stream = await openai.responses.create({ model: 'gpt-5', input: 'x', stream: true });
    const store = createPartialImagesStore();
    const consumed = store.consume(stream);
    await vi.waitFor(() => expect(store.getState().status).toBe('streaming'));
    store.abort();
    await consumed; // settles: it does not wait for the pending next()
    expect(store.getState().status).toBe('aborted');
    expect(upstream.requests[0]?.signal?.aborted).toBe(true);
  });

  it('store.abort() settles consume() of a pending async generator', async () => {
    let asked = 0;
    async function* thinking() {
      yield imageResponseEvents()[0];
      asked++;
      await new Promise(() => {});
    }
    const store = createPartialImagesStore();
    const consumed = store.consume(thinking());
    await vi.waitFor(() => expect(asked).toBe(1));
    store.abort();
    await consumed;
    expect(store.getState().status).toBe('aborted');
  });
});
