/**
 * The relay against the real `@openrouter/sdk` (1.3.19), whose `fetcher` serves SSE bytes.
 * The SDK validates and renames every event it knows (camelCase, extra fields stripped) and wraps
 * the others as `{ type: 'UNKNOWN', isUnknown: true, raw }`; the relay writes the wire back.
 */

import { HTTPClient, OpenRouter } from '@openrouter/sdk';
import type { ResponsesRequest } from '@openrouter/sdk/models';
import type { CreateResponsesResponse } from '@openrouter/sdk/models/operations';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPartialImagesStore, type PartialImagesSource } from '../../src/core';
import { toWireShape as toWireEvent } from '../../src/core/wire';
import { toSSEStream } from '../../src/server';
import { bytesOf, chunksOf, sse, sseResponse } from '../fixtures/streams';
import {
  aborted,
  type FakeReply,
  type FakeRequest,
  fakeFetch,
  readEvents,
  readFirst,
  readText,
  realFrameEvents,
  renumber,
} from './support';

const API_KEY = 'sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef';

afterEach(() => {
  vi.useRealTimers();
});

function client(serve: (request: FakeRequest, index: number) => FakeReply) {
  const upstream = fakeFetch(serve);
  const openrouter = new OpenRouter({
    apiKey: API_KEY,
    httpClient: new HTTPClient({ fetcher: upstream.fetch }),
    retryConfig: { strategy: 'none' },
  });
  return { openrouter, requests: upstream.requests };
}

/**
 * An OpenRouter Responses stream: full response objects (so that the SDK validates them and
 * renames their keys), a `response.queued` event and a user `metadata` map, with `[DONE]`.
 */
function openRouterEvents(options: Parameters<typeof realFrameEvents>[0] = {}) {
  const events = realFrameEvents(options).map((event) =>
    event.response
      ? {
          ...event,
          response: {
            created_at: 1758034395,
            completed_at: event.type === 'response.completed' ? 1758034460 : null,
            model: 'openai/gpt-5',
            instructions: null,
            metadata: { userId: 'user_42', chat_id: 'c_7' },
            parallel_tool_calls: true,
            temperature: null,
            top_p: null,
            presence_penalty: null,
            frequency_penalty: null,
            tool_choice: 'auto',
            ...(event.response as object),
          },
        }
      : event,
  );
  const created = events[0] as { response: object };
  // OpenAI-only and not in the SDK's union: the SDK wraps it as UNKNOWN.
  events.splice(1, 0, {
    type: 'response.queued',
    response: { ...created.response, status: 'queued' },
  });
  return renumber(events);
}

/** `responses.send` returns a union (a result or an event stream): narrow it. */
function eventStream(result: CreateResponsesResponse) {
  if (!(Symbol.asyncIterator in result)) throw new Error('expected a stream');
  return result;
}

const REQUEST: ResponsesRequest = {
  model: 'openai/gpt-5',
  input: 'Draw a sunset over the sea',
  stream: true,
  tools: [{ type: 'image_generation', partialImages: 3, outputFormat: 'png' }],
};

async function finalState(source: PartialImagesSource) {
  const store = createPartialImagesStore();
  await store.consume(source);
  return store.getState();
}

describe('openrouter: responses.send({ responsesRequest: { stream: true } })', () => {
  it('the SDK yields camelCase events and UNKNOWN wrappers; the relay writes the snake_case wire', async () => {
    const events = openRouterEvents();
    const serve = () => ({ chunks: chunksOf(bytesOf(sse(events, { done: true })), 9000) });
    const sdkEvents: unknown[] = [];
    {
      const { openrouter } = client(serve);
      const stream = eventStream(await openrouter.responses.send({ responsesRequest: REQUEST }));
      for await (const event of stream) sdkEvents.push(event);
    }
    // What the SDK makes of the wire (PROTOCOL.md § 9.4).
    expect(sdkEvents[1]).toEqual({ type: 'UNKNOWN', isUnknown: true, raw: events[1] });
    const partial = sdkEvents.find(
      (e) => (e as { type: string }).type === 'response.image_generation_call.partial_image',
    );
    expect(Object.keys(partial as object).sort()).toEqual([
      'itemId',
      'outputIndex',
      'partialImageB64',
      'partialImageIndex',
      'sequenceNumber',
      'type',
    ]);
    expect((sdkEvents[0] as { response: { createdAt: number } }).response.createdAt).toBe(
      1758034395,
    );

    const { openrouter } = client(serve);
    const relayed = await readEvents(
      toSSEStream((signal) => openrouter.responses.send({ responsesRequest: REQUEST }, { signal })),
    );
    expect(relayed.map((m) => m.json)).toEqual(sdkEvents.map(toWireEvent));
    expect(relayed.map((m) => m.event)).toEqual(events.map((e) => e.type));
    relayed.forEach((message, i) => {
      const wire = events[i] as Record<string, unknown>;
      const json = message.json as Record<string, unknown>;
      // Every relayed key is a wire key; only what the SDK stripped is missing.
      for (const key of Object.keys(json)) expect(wire, `${i}: ${key}`).toHaveProperty([key]);
      expect(json.sequence_number).toBe(wire.sequence_number);
    });
    // The UNKNOWN event comes out as the raw wire event, untouched.
    expect(relayed[1]?.json).toEqual(events[1]);
    const created = relayed[0]?.json as { response: Record<string, unknown> };
    expect(created.response.created_at).toBe(1758034395);
    expect(created.response.parallel_tool_calls).toBe(true);
    expect(created.response.tools).toEqual([
      {
        type: 'image_generation',
        background: 'auto',
        output_format: 'png',
        quality: 'low',
        size: '1536x1024',
      },
    ]);
    // User metadata keys are data: neither the SDK nor the relay renames them.
    expect(created.response.metadata).toEqual({ userId: 'user_42', chat_id: 'c_7' });
    const relayedPartial = relayed.find((m) => m.event?.endsWith('partial_image'))?.json;
    expect(relayedPartial).toEqual({
      type: 'response.image_generation_call.partial_image',
      item_id: 'ig_0',
      output_index: 1,
      partial_image_b64: (
        events.find((e) => e.partial_image_index === 0) as object as {
          partial_image_b64: string;
        }
      ).partial_image_b64,
      partial_image_index: 0,
      sequence_number: 8,
    });
  });

  it('gives the same final state relayed as the SDK stream consumed directly', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = openRouterEvents({ items: 2, set: 2, interleave: true });
    const { openrouter } = client(() => ({ chunks: [sse(events, { done: true })] }));
    const send = (signal?: AbortSignal) =>
      openrouter.responses.send({ responsesRequest: REQUEST }, { signal });
    const direct = await finalState(async () => eventStream(await send()));
    // No narrowing needed for the relay: it takes the SDK's union as it is.
    const relayed = await finalState(toSSEStream((signal) => send(signal)));
    expect(direct.status).toBe('completed');
    expect(direct.items.map((item) => item.final?.mimeType)).toEqual(['image/jpeg', 'image/jpeg']);
    expect(relayed).toEqual(direct);
    // The raw bytes carry what the SDK strips (revised_prompt); a raw relay keeps it all.
    const raw = await finalState(sseResponse(sse(events, { done: true })));
    expect(await finalState(toSSEStream(sseResponse(sse(events, { done: true }))))).toEqual(raw);
    expect(raw.items[0]?.revisedPrompt).toBe('A revised prompt for image 0');
    expect(direct.items[0]?.revisedPrompt).toBeNull();
    expect({ ...raw, items: raw.items.map((item) => ({ ...item, revisedPrompt: null })) }).toEqual(
      direct,
    );
  });

  it('a non-streamed result (the other side of the union) is relayed as one wire event', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const completed = openRouterEvents().at(-1) as { response: Record<string, unknown> };
    const body = { ...completed.response, usage: null };
    const { openrouter } = client(() => ({
      headers: { 'content-type': 'application/json' },
      chunks: [JSON.stringify(body)],
    }));
    const send = (signal: AbortSignal) =>
      openrouter.responses.send({ responsesRequest: { ...REQUEST, stream: false } }, { signal });
    const relayed = await readEvents(toSSEStream(send));
    expect(relayed).toHaveLength(1);
    const json = relayed[0]?.json as Record<string, unknown>;
    expect(json).toMatchObject({ id: 'resp_test', object: 'response', created_at: 1758034395 });
    expect(json.output).toEqual([
      expect.objectContaining({ id: 'ig_0', type: 'image_generation_call', status: 'completed' }),
    ]);
    const state = await finalState(toSSEStream(send));
    expect(state.status).toBe('completed');
    expect(state.items.map((item) => item.final?.mimeType)).toEqual(['image/png']);
    // The same as the SDK's result object given to the store directly.
    const controller = new AbortController();
    expect(state).toEqual(await finalState([await send(controller.signal)]));
  });

  it('the nested error shape (UNKNOWN to the SDK) is relayed as the wire event, then the stream goes on', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = openRouterEvents({ ending: 'error' });
    const { openrouter } = client(() => ({ chunks: [sse(events, { done: true })] }));
    const send = (signal: AbortSignal) =>
      openrouter.responses.send({ responsesRequest: REQUEST }, { signal });
    const relayed = await readEvents(toSSEStream(send));
    const nested = events.find((e) => e.type === 'error');
    expect(relayed.find((m) => m.event === 'error')?.json).toEqual(nested);
    expect(relayed.at(-1)?.event).toBe('response.failed');
    const state = await finalState(toSSEStream(send));
    expect(state).toMatchObject({
      status: 'failed',
      error: { code: 'provider-error', providerCode: 'server_error', providerType: 'server_error' },
    });
  });

  it('cancelling the relay aborts the request and cancels the body the SDK reads', async () => {
    const events = openRouterEvents();
    for (const form of ['stream', 'function'] as const) {
      const { openrouter, requests } = client(() => ({
        chunks: [sse(events.slice(0, 6))],
        hang: true,
      }));
      const stream =
        form === 'stream'
          ? toSSEStream(eventStream(await openrouter.responses.send({ responsesRequest: REQUEST })))
          : toSSEStream((signal) =>
              openrouter.responses.send({ responsesRequest: REQUEST }, { signal }),
            );
      const { reader, text } = await readFirst(stream, 6);
      expect(text).toContain('"sequence_number":5');
      await reader.cancel();
      const request = requests[0];
      if (form === 'function') {
        // The relay aborts the signal it gave the SDK: fetch tears the connection down.
        await aborted(request?.signal);
        expect(request?.signal?.aborted).toBe(true);
      } else {
        // No signal to abort: the relay cancels the EventStream, which cancels the body.
        expect(request?.bodyCancelled).not.toBeNull();
      }
    }
  });

  it('an HTTP error the SDK throws becomes a safe error event', async () => {
    const cases = [
      {
        status: 401,
        body: { error: { code: 401, message: `Invalid key ${API_KEY}` } },
        expected: {
          type: 'authentication_error',
          code: '401',
          message: 'The AI provider rejected the credentials of this server.',
          param: null,
          status: 401,
        },
      },
      {
        status: 402,
        body: {
          error: { code: 402, message: `Insufficient credits on key ${API_KEY}. Add more.` },
        },
        expected: {
          type: 'insufficient_quota',
          code: '402',
          message: 'Insufficient credits on key [redacted]. Add more.',
          param: null,
          status: 402,
        },
      },
    ];
    for (const { status, body, expected } of cases) {
      const { openrouter } = client(() => ({
        status,
        headers: { 'content-type': 'application/json' },
        chunks: [JSON.stringify(body)],
      }));
      const onError = vi.fn();
      const text = await readText(
        toSSEStream(
          (signal) => openrouter.responses.send({ responsesRequest: REQUEST }, { signal }),
          { onError },
        ),
      );
      expect(text).not.toContain('sk-or');
      expect((await readEvents(new Response(text).body!)).map((m) => m.json)).toEqual([
        { type: 'error', error: expected },
      ]);
      expect(onError.mock.calls[0]?.[0]).toMatchObject({ statusCode: status });
    }
  });
});
