/**
 * The relay against the real `openai` SDK (v6), whose `fetch` serves recorded-shape SSE bytes.
 */

import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPartialImagesStore,
  type PartialImagesSource,
  type PartialImagesState,
  type ResumeContext,
} from '../../src/core';
import { toSSEResponse, toSSEStream } from '../../src/server';
import { bytesOf, chunksOf, sse, sseResponse } from '../fixtures/streams';
import {
  aborted,
  type FakeReply,
  type FakeRequest,
  fakeFetch,
  imagesApiEvents,
  readEvents,
  readFirst,
  readText,
  realFrameEvents,
} from './support';

const API_KEY = 'sk-proj-TESTKEY0123456789abcdefABCDEF';

afterEach(() => {
  vi.useRealTimers();
});

function client(serve: (request: FakeRequest, index: number) => FakeReply) {
  const upstream = fakeFetch(serve);
  const openai = new OpenAI({ apiKey: API_KEY, fetch: upstream.fetch, maxRetries: 0 });
  return { openai, requests: upstream.requests };
}

const IMAGE_REQUEST = {
  model: 'gpt-5',
  input: 'Draw a sunset over the sea',
  stream: true,
  tools: [{ type: 'image_generation', partial_images: 3, output_format: 'png' }],
} as const satisfies OpenAI.Responses.ResponseCreateParamsStreaming;

async function finalState(source: PartialImagesSource): Promise<PartialImagesState> {
  const store = createPartialImagesStore();
  await store.consume(source);
  return store.getState();
}

describe('openai: client.responses.create({ stream: true })', () => {
  it('relays the SDK stream to exactly the events the provider sent', async () => {
    const events = realFrameEvents({ items: 2, textDeltas: 2 });
    const { openai, requests } = client(() => ({ chunks: chunksOf(bytesOf(sse(events)), 8192) }));
    const relayed = await readEvents(toSSEStream(await openai.responses.create(IMAGE_REQUEST)));
    expect(relayed.map((m) => m.json)).toEqual(events);
    expect(relayed.map((m) => m.event)).toEqual(events.map((e) => e.type));
    expect(requests[0]?.url).toBe('https://api.openai.com/v1/responses');
  });

  it('gives the same final state: raw bytes, the SDK stream, and the SDK stream relayed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = realFrameEvents({ items: 2, interleave: true, set: 1 });
    const { openai } = client(() => ({ chunks: chunksOf(bytesOf(sse(events)), 5000) }));
    const raw = await finalState(sseResponse(sse(events)));
    const sdk = await finalState(openai.responses.create(IMAGE_REQUEST));
    const relayed = await finalState(
      toSSEStream((signal) => openai.responses.create(IMAGE_REQUEST, { signal })),
    );
    const viaResponse = await finalState(
      toSSEResponse((signal) => openai.responses.create(IMAGE_REQUEST, { signal })),
    );
    expect(raw.status).toBe('completed');
    expect(raw.items.map((item) => [item.status, item.final?.mimeType])).toEqual([
      ['completed', 'image/webp'],
      ['completed', 'image/webp'],
    ]);
    expect(sdk).toEqual(raw);
    expect(relayed).toEqual(raw);
    expect(viaResponse).toEqual(raw);
  });

  it('cancelling the relay aborts the request the SDK made', async () => {
    const events = realFrameEvents();
    for (const form of ['stream', 'function'] as const) {
      // The model sends 5 events, then keeps thinking.
      const { openai, requests } = client(() => ({
        chunks: [sse(events.slice(0, 5))],
        hang: true,
      }));
      const stream =
        form === 'stream'
          ? toSSEStream(await openai.responses.create(IMAGE_REQUEST))
          : toSSEStream((signal) => openai.responses.create(IMAGE_REQUEST, { signal }));
      const { reader, text } = await readFirst(stream, 5);
      expect(text).toContain('"sequence_number":4');
      const signal = requests[0]?.signal;
      expect(signal?.aborted, form).toBe(false);
      await reader.cancel();
      await aborted(signal);
      expect(signal?.aborted, form).toBe(true);
    }
  });

  it('an HTTP error becomes a safe error event: status and code kept, key and message not', async () => {
    const { openai } = client(() => ({
      status: 401,
      headers: { 'content-type': 'application/json' },
      chunks: [
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${API_KEY.slice(0, 12)}***CDEF.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        }),
      ],
    }));
    const onError = vi.fn();
    const text = await readText(
      toSSEStream((signal) => openai.responses.create(IMAGE_REQUEST, { signal }), { onError }),
    );
    expect(text).not.toContain('sk-');
    expect(text).not.toContain('Incorrect API key');
    expect((await readEvents(new Response(text).body!)).map((m) => m.json)).toEqual([
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          message: 'The AI provider rejected the credentials of this server.',
          param: null,
          status: 401,
        },
      },
    ]);
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("an `error` event, which the SDK throws, is relayed with the provider's code and ends the relay", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = realFrameEvents({ ending: 'error' }); // … error, response.failed
    const { openai } = client(() => ({ chunks: [sse(events)] }));
    const make = () =>
      toSSEStream((signal) => openai.responses.create(IMAGE_REQUEST, { signal }), {
        filter: 'images',
      });
    const relayed = await readEvents(make());
    const errorEvent = events.find((e) => e.type === 'error') as { error: object };
    expect(relayed.at(-1)?.json).toEqual({ type: 'error', error: errorEvent.error });
    // The SDK stopped at the error: response.failed never reaches the relay.
    expect(relayed.some((m) => m.event === 'response.failed')).toBe(false);
    const state = await finalState(make());
    expect(state).toMatchObject({
      status: 'failed',
      error: { code: 'provider-error', providerCode: 'server_error' },
    });
    expect(state.items[0]?.frames.length).toBeGreaterThan(0);
  });
});

describe('openai: client.images.generate({ stream: true })', () => {
  it('relays image_generation.* events; the store gets the same final image', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = imagesApiEvents();
    const { openai, requests } = client(() => ({ chunks: [sse(events)] }));
    const generate = (signal?: AbortSignal) =>
      openai.images.generate(
        {
          model: 'gpt-image-1',
          prompt: 'A forest at dawn',
          stream: true,
          partial_images: 2,
          output_format: 'jpeg',
        },
        { signal },
      );
    const relayed = await readEvents(toSSEStream((signal) => generate(signal)));
    expect(requests[0]?.url).toBe('https://api.openai.com/v1/images/generations');
    expect(relayed.map((m) => m.json)).toEqual(events);
    expect(relayed.map((m) => m.event)).toEqual([
      'image_generation.partial_image',
      'image_generation.partial_image',
      'image_generation.completed',
    ]);
    const raw = await finalState(sseResponse(sse(events)));
    expect(raw.status).toBe('completed');
    expect(raw.items).toHaveLength(1);
    expect(raw.items[0]?.final?.mimeType).toBe('image/jpeg');
    expect(await finalState(generate())).toEqual(raw);
    expect(await finalState(toSSEStream((signal) => generate(signal)))).toEqual(raw);
  });
});

describe('openai: resuming a background response with client.responses.retrieve', () => {
  /**
   * The first connection drops in the middle of a partial frame's base64; the resume is served
   * by a sloppy server that replays three events the client already has.
   */
  function backgroundUpstream() {
    const events = realFrameEvents({ responseId: 'resp_bg' });
    const text = sse(events);
    const cut = text.indexOf('"partial_image_index":1') + 2000;
    const served: number[] = [];
    const { openai, requests } = client((request) => {
      const url = new URL(request.url);
      if (request.method === 'POST') return { chunks: chunksOf(bytesOf(text.slice(0, cut)), 7000) };
      const after = Number(url.searchParams.get('starting_after'));
      const replay = events.filter((e) => (e.sequence_number as number) > after - 3);
      served.push(after);
      return { chunks: [sse(replay)] };
    });
    return { events, text, openai, requests, served };
  }

  /** The frames every state change showed, as `item/index` keys, in order of appearance. */
  function watchFrames(store: ReturnType<typeof createPartialImagesStore>) {
    const seen: string[] = [];
    store.subscribe((state) => {
      for (const item of state.items) {
        for (const frame of item.frames) {
          const key = `${item.id}/${frame.isFinal ? 'final' : frame.index}`;
          if (!seen.includes(key)) seen.push(key);
        }
      }
    });
    return seen;
  }

  it('store + SDK: no duplicate frame, and the response completes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { events, text, openai, requests, served } = backgroundUpstream();
    const resume = vi.fn((last: number | null, { responseId, signal }: ResumeContext) =>
      openai.responses.retrieve(
        responseId as string,
        { stream: true, starting_after: last as number },
        { signal },
      ),
    );
    const store = createPartialImagesStore({ keepHistory: true, resume });
    const seen = watchFrames(store);
    const frames: number[] = [];
    store.subscribe((state, previous) => {
      if (state.items[0]?.frames.length !== previous.items[0]?.frames.length) {
        frames.push(state.items[0]?.frames.length ?? 0);
      }
    });
    await store.consume(
      openai.responses.create({ ...IMAGE_REQUEST, background: true, store: true }),
    );
    // Cut inside partial frame 1: the last whole event is the one before it.
    const cutEvent = events.find((e) => e.partial_image_index === 1);
    expect(resume).toHaveBeenCalledTimes(1);
    expect(resume.mock.calls[0]?.[0]).toBe((cutEvent?.sequence_number as number) - 1);
    expect(requests[1]?.method).toBe('GET');
    expect(requests[1]?.url).toBe(
      `https://api.openai.com/v1/responses/resp_bg?stream=true&starting_after=${served[0]}`,
    );
    const state = store.getState();
    expect(state.status).toBe('completed');
    expect(state.error).toBeNull();
    expect(state.items[0]?.frames.map((f) => [f.index, f.isFinal])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(seen).toEqual(['ig_0/0', 'ig_0/1', 'ig_0/2', 'ig_0/final']);
    expect(frames).toEqual([0, 1, 2, 3, 4]); // never a frame twice, never one taken back
    expect(state).toEqual(await finalStateWithHistory(sseResponse(text)));
  });

  it('browser store → relay → SDK: the resume goes through the relay too', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { text, openai, requests } = backgroundUpstream();
    // What the browser does: consume the route's stream, and resume through a second route.
    const store = createPartialImagesStore({
      keepHistory: true,
      resume: (last, { responseId, signal }) =>
        toSSEStream(
          (upstreamSignal) =>
            openai.responses.retrieve(
              responseId as string,
              { stream: true, starting_after: last as number },
              { signal: upstreamSignal },
            ),
          { signal },
        ),
    });
    const seen = watchFrames(store);
    await store.consume(
      toSSEStream((signal) =>
        openai.responses.create({ ...IMAGE_REQUEST, background: true, store: true }, { signal }),
      ),
    );
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(seen).toEqual(['ig_0/0', 'ig_0/1', 'ig_0/2', 'ig_0/final']);
    expect(store.getState()).toEqual(await finalStateWithHistory(sseResponse(text)));
  });
});

async function finalStateWithHistory(source: PartialImagesSource) {
  const store = createPartialImagesStore({ keepHistory: true });
  await store.consume(source);
  return store.getState();
}
