import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPartialImagesStore, type PartialImagesSource } from '../../src/core';
import { SSE_HEADERS, toSSEResponse, toSSEStream } from '../../src/server';
import { imageResponseEvents } from '../fixtures/events';
import {
  byteStream,
  bytesOf,
  chunksOf,
  sleepyIterable,
  sse,
  sseResponse,
} from '../fixtures/streams';
import { readEvents, readFirst, readText, realFrameEvents } from './support';

/** The safe error event a relay sends when the upstream connection fails, as the wire has it. */
const UPSTREAM_FAILED = {
  type: 'error',
  error: {
    type: 'server_error',
    code: 'upstream_error',
    message: 'The connection to the AI provider failed.',
    param: null,
  },
};

afterEach(() => {
  vi.useRealTimers();
});

async function* iterate<T>(events: readonly T[]): AsyncGenerator<T> {
  for (const event of events) yield event;
}

/** The final state of a store that consumed `source`, with `Date` frozen by the caller. */
async function finalState(source: PartialImagesSource) {
  const store = createPartialImagesStore();
  await store.consume(source);
  return store.getState();
}

/** An async iterable that yields `events`, then waits forever; records how it was stopped. */
function stalledIterable(events: readonly unknown[]) {
  const log = { returned: false, controller: new AbortController() };
  let i = 0;
  const iterable = {
    controller: log.controller, // the shape of openai's Stream
    [Symbol.asyncIterator]: () => ({
      next: () =>
        i < events.length
          ? Promise.resolve({ done: false as const, value: events[i++] })
          : new Promise<IteratorResult<unknown>>(() => {}),
      return: () => {
        log.returned = true;
        return Promise.resolve({ done: true as const, value: undefined });
      },
    }),
  };
  return { iterable, log };
}

describe('toSSEStream: framing and round trip', () => {
  it('writes each event as `event: <type>` + `data: <json>`, and parseSSE reads back the same objects', async () => {
    const events: Record<string, unknown>[] = [
      ...imageResponseEvents({ items: 2, textDeltas: 2 }),
      // Unknown events and fields are relayed as they are, whatever they hold.
      {
        type: 'response.some_future_event',
        sequence_number: 99,
        obfuscation: 'aZ',
        text: 'héllo ✓ \u2028 "quoted" \n line',
        nested: { deep: [1, null, { x: true }] },
      },
    ];
    const text = await readText(toSSEStream(iterate(events)));
    const first = events[0] as Record<string, unknown>;
    expect(text.startsWith(`event: response.created\ndata: ${JSON.stringify(first)}\n\n`)).toBe(
      true,
    );
    expect(text).toBe(sse(events));
    const relayed = await readEvents(toSSEStream(iterate(events)));
    expect(relayed.map((m) => m.json)).toEqual(events);
    expect(relayed.map((m) => m.event)).toEqual(events.map((e) => e.type));
  });

  it('gives a store the same final state as the events themselves, however the response ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const ending of ['completed', 'failed', 'incomplete', 'error', 'none'] as const) {
      const events = realFrameEvents({ items: 2, ending, interleave: true });
      const direct = await finalState(events);
      const relayed = await finalState(toSSEStream(iterate(events)));
      expect(relayed, ending).toEqual(direct);
      expect(direct.status, ending).toBe(
        { completed: 'completed', failed: 'failed', incomplete: 'incomplete' }[ending as string] ??
          'failed',
      );
    }
  });

  it('passes a provider Response through payload for payload: CRLF, comments and tiny chunks do not matter', async () => {
    const events = realFrameEvents();
    const upstream = `: OPENROUTER PROCESSING\r\n\r\n${sse(events, { eol: '\r\n', done: true })}`;
    const response = sseResponse(chunksOf(bytesOf(upstream), 4093));
    // The provider's own text, re-framed with `\n`, its comment dropped and `[DONE]` kept.
    expect(await readText(toSSEStream(response))).toBe(sse(events, { done: true }));
    const small = imageResponseEvents();
    const tiny = chunksOf(bytesOf(sse(small, { eol: '\r\n', done: true })), 7);
    expect(await readText(toSSEStream(byteStream(tiny)))).toBe(sse(small, { done: true }));
  });

  it('keeps SSE ids, multi-line data and non-JSON payloads of a raw stream', async () => {
    const upstream =
      'id: 1\nevent: note\ndata: first line\ndata: second line\n\n' +
      'data: {"type":"x","n":1}\n\n' +
      'id: 2\ndata: {"type":"y"}\n\n';
    const text = await readText(toSSEStream(sseResponse(upstream)));
    expect(text).toBe(
      'event: note\nid: 1\ndata: first line\ndata: second line\n\n' +
        'event: x\ndata: {"type":"x","n":1}\n\n' +
        'event: y\nid: 2\ndata: {"type":"y"}\n\n',
    );
  });

  it('ends at `data: [DONE]` and cancels the rest of the upstream body', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytesOf(sse(imageResponseEvents(), { done: true })));
        controller.enqueue(bytesOf('data: {"type":"after.done"}\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const relayed = await readEvents(toSSEStream(body));
    expect(relayed.at(-1)?.data).toBe('[DONE]');
    expect(relayed.some((m) => m.data.includes('after.done'))).toBe(false);
    expect(cancelled).toBe(true);
  });

  it('relays a JSON body (a provider that does not stream) as one event the store understands', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const completed = realFrameEvents().at(-1) as { response: unknown };
    const json = () =>
      new Response(JSON.stringify(completed.response), {
        headers: { 'content-type': 'application/json' },
      });
    const relayed = await readEvents(toSSEStream(json()));
    expect(relayed.map((m) => m.json)).toEqual([completed.response]);
    expect(await finalState(toSSEStream(json()))).toEqual(await finalState(json()));
    expect((await finalState(toSSEStream(json()))).status).toBe('completed');
  });
});

describe('toSSEStream: filter', () => {
  it("'images' drops text, reasoning and keepalive events, and the store ends the same", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = [
      ...realFrameEvents({ textDeltas: 3 }),
      { type: 'keepalive', sequence_number: 1000 },
    ];
    const relayed = await readEvents(toSSEStream(iterate(events), { filter: 'images' }));
    const types = relayed.map((m) => (m.json as { type: string }).type);
    expect(types).not.toContain('response.output_text.delta');
    expect(types).not.toContain('keepalive');
    const expected = events
      .filter(
        (event) =>
          event.type !== 'response.output_text.delta' &&
          event.type !== 'keepalive' &&
          (event.item as { type?: string } | undefined)?.type !== 'reasoning',
      )
      .map((event) => {
        if (event.type !== 'response.completed') return event;
        // The final image went out in output_item.done: it is not sent a second time.
        const response = event.response as { output: Record<string, unknown>[] };
        const output = response.output.map(({ result: _result, ...item }) => item);
        return { ...event, response: { ...response, output } };
      });
    expect(relayed.map((m) => m.json)).toEqual(expected);
    expect(relayed.length).toBeLessThan(events.length - 4);
    // With 'all', everything goes, the repeat included.
    const all = await readEvents(toSSEStream(iterate(events)));
    expect(all.map((m) => m.json)).toEqual(events);
    expect(await finalState(toSSEStream(iterate(events), { filter: 'images' }))).toEqual(
      await finalState(events),
    );
  });

  it('a predicate sees wire-shaped events (snake_case, even from camelCase SDK events)', async () => {
    const seen: unknown[] = [];
    const camel = [
      { type: 'response.output_text.delta', itemId: 'm', sequenceNumber: 1, delta: 'hi' },
      { type: 'response.image_generation_call.generating', itemId: 'ig', sequenceNumber: 2 },
    ];
    const relayed = await readEvents(
      toSSEStream(iterate(camel), {
        filter: (event) => {
          seen.push(event);
          return event.type !== 'response.output_text.delta';
        },
      }),
    );
    expect(seen).toEqual([
      { type: 'response.output_text.delta', item_id: 'm', sequence_number: 1, delta: 'hi' },
      { type: 'response.image_generation_call.generating', item_id: 'ig', sequence_number: 2 },
    ]);
    expect(relayed.map((m) => m.json)).toEqual([seen[1]]);
  });
});

describe('toSSEStream: keep-alive', () => {
  /** Reads everything into `chunks` as it comes. */
  function drain(stream: ReadableStream<Uint8Array>) {
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const done = (async () => {
      for await (const chunk of stream) chunks.push(decoder.decode(chunk));
    })();
    return { chunks, done };
  }

  it('writes `: keep-alive` comments while the upstream is silent, and readers skip them', async () => {
    vi.useFakeTimers();
    const events = imageResponseEvents({ partials: 1 });
    // 40 s before each event: slower than any proxy's patience.
    const { chunks, done } = drain(toSSEStream(sleepyIterable(events, 40_000)));
    await vi.advanceTimersByTimeAsync(14_999);
    expect(chunks).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(chunks).toEqual([': keep-alive\n\n']);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(chunks).toEqual([': keep-alive\n\n', ': keep-alive\n\n']);
    await vi.advanceTimersByTimeAsync(40_000 * events.length);
    await done;
    const text = chunks.join('');
    expect(text.split(': keep-alive\n\n').join('')).toBe(sse(events));
    // Between two events 40 s apart: one comment at 15 s and one at 30 s after the last write.
    expect(text.match(/: keep-alive/g)?.length).toBe(2 * events.length);
    const relayed = await readEvents(byteStream([text]));
    expect(relayed.map((m) => m.json)).toEqual(events);
  });

  it('stays quiet while events flow, honours a custom interval, and can be turned off', async () => {
    vi.useFakeTimers();
    const events = imageResponseEvents({ partials: 1 });
    const busy = drain(toSSEStream(sleepyIterable(events, 10_000)));
    const custom = drain(toSSEStream(sleepyIterable(events, 10_000), { keepAlive: 4_000 }));
    const off = drain(toSSEStream(sleepyIterable(events, 60_000), { keepAlive: false }));
    await vi.advanceTimersByTimeAsync(60_000 * events.length);
    await Promise.all([busy.done, custom.done, off.done]);
    expect(busy.chunks.join('')).toBe(sse(events));
    expect(off.chunks.join('')).toBe(sse(events));
    expect(custom.chunks.join('').match(/: keep-alive/g)?.length).toBe(2 * events.length);
  });
});

describe('toSSEStream: cancellation reaches the upstream', () => {
  it('cancelling aborts the signal of the function form', async () => {
    let upstreamSignal: AbortSignal | null = null;
    const stream = toSSEStream((signal) => {
      upstreamSignal = signal;
      return stalledIterable(imageResponseEvents()).iterable;
    });
    const { reader } = await readFirst(stream, 2);
    expect(upstreamSignal).not.toBeNull();
    expect((upstreamSignal as unknown as AbortSignal).aborted).toBe(false);
    await reader.cancel('client left');
    expect((upstreamSignal as unknown as AbortSignal).aborted).toBe(true);
  });

  it("cancelling calls the iterator's return() and aborts an SDK stream's own controller", async () => {
    const { iterable, log } = stalledIterable(imageResponseEvents().slice(0, 3));
    const { reader } = await readFirst(toSSEStream(iterable), 3);
    await reader.cancel();
    expect(log.returned).toBe(true);
    expect(log.controller.signal.aborted).toBe(true);
  });

  it('cancelling cancels an upstream body or stream of events', async () => {
    for (const objects of [false, true]) {
      let reason: unknown = 'not cancelled';
      const events = imageResponseEvents().slice(0, 2);
      let i = 0;
      const upstream = new ReadableStream<unknown>({
        pull(controller) {
          const event = events[i++];
          if (event) controller.enqueue(objects ? event : bytesOf(sse([event])));
          else return new Promise(() => {}); // a model still thinking
        },
        cancel(why) {
          reason = why;
        },
      });
      const stream = toSSEStream(objects ? upstream : new Response(upstream as never));
      const { reader } = await readFirst(stream, 2);
      await reader.cancel('gone');
      expect(reason, objects ? 'objects' : 'bytes').not.toBe('not cancelled');
    }
  });

  it('the `signal` option aborts the upstream and ends the stream', async () => {
    const outer = new AbortController();
    let upstreamSignal: AbortSignal | undefined;
    const stream = toSSEStream(
      (signal) => {
        upstreamSignal = signal;
        return stalledIterable(imageResponseEvents()).iterable;
      },
      { signal: outer.signal },
    );
    const { reader, text } = await readFirst(stream, 1);
    expect(text).toContain('response.created');
    outer.abort();
    expect(upstreamSignal?.aborted).toBe(true);
    // The relay closes: what is left is read to its end, without an error event.
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).not.toContain('event: error');
  });

  it('a signal aborted before the start never calls the function form', async () => {
    const factory = vi.fn(() => iterate([]));
    const text = await readText(toSSEStream(factory, { signal: AbortSignal.abort() }));
    expect(text).toBe('');
    expect(factory).not.toHaveBeenCalled();
  });

  it('a Response that arrives after the client left is cancelled, not leaked', async () => {
    let cancelled = false;
    let resolve: (response: Response) => void = () => {};
    const late = new Promise<Response>((r) => {
      resolve = r;
    });
    let called: () => void = () => {};
    const requested = new Promise<void>((r) => {
      called = r;
    });
    const stream = toSSEStream(() => {
      called();
      return late;
    });
    const reader = stream.getReader();
    const read = reader.read();
    await requested;
    await reader.cancel();
    await read;
    resolve(
      new Response(
        new ReadableStream({
          cancel() {
            cancelled = true;
          },
        }),
      ),
    );
    await late;
    await Promise.resolve();
    expect(cancelled).toBe(true);
  });
});

describe('toSSEStream: failures become one safe error event', () => {
  const KEY = 'sk-proj-AbC123dEf456GhI789jKl0';

  function leaky() {
    const error = new Error(
      `Request failed: 401 Incorrect API key provided: ${KEY}. Authorization: Bearer ${KEY}`,
    );
    error.stack = `Error: boom ${KEY}\n    at fetchUpstream (/srv/app/src/route.ts:12:7)\n    at async POST (/srv/app/src/route.ts:30:3)`;
    Object.assign(error, { headers: { authorization: `Bearer ${KEY}` } });
    return error;
  }

  it('a thrown error never leaks its message, stack, headers or an API key', async () => {
    const onError = vi.fn();
    const events = imageResponseEvents().slice(0, 3);
    async function* failing() {
      yield* events;
      throw leaky();
    }
    const text = await readText(toSSEStream(failing(), { onError }));
    expect(text).not.toContain('sk-');
    expect(text).not.toContain('AbC123');
    expect(text).not.toContain('Bearer');
    expect(text).not.toContain('/srv/app');
    expect(text).not.toMatch(/\bat /);
    const relayed = await readEvents(byteStream([text]));
    expect(relayed.map((m) => m.json)).toEqual([...events, UPSTREAM_FAILED]);
    expect(relayed.at(-1)?.event).toBe('error');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: expect.stringContaining(KEY) });
  });

  it('a provider error body keeps its code, type and message, with keys masked', async () => {
    const apiError = Object.assign(new Error('400 whatever'), {
      status: 400,
      error: {
        message: `Invalid value for tools[0] with key ${KEY}\nat line 2`,
        type: 'invalid_request_error',
        code: 'invalid_value',
        param: 'tools',
      },
    });
    const relayed = await readEvents(
      toSSEStream(() => {
        throw apiError;
      }),
    );
    expect(relayed.map((m) => m.json)).toEqual([
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'invalid_value',
          message: 'Invalid value for tools[0] with key [redacted]',
          param: 'tools',
          status: 400,
        },
      },
    ]);
  });

  it('a non-2xx Response becomes an error event with its status and provider code', async () => {
    const cases = [
      {
        response: Response.json(
          {
            error: {
              message: `Rate limit reached for gpt-image-1 (key ${KEY}).`,
              type: 'requests',
              code: 'rate_limit_exceeded',
              param: null,
            },
          },
          { status: 429 },
        ),
        error: {
          type: 'requests',
          code: 'rate_limit_exceeded',
          message: 'Rate limit reached for gpt-image-1 (key [redacted]).',
          param: null,
          status: 429,
        },
      },
      {
        response: Response.json(
          { error: { message: `Incorrect API key provided: ${KEY}`, code: 'invalid_api_key' } },
          { status: 401 },
        ),
        error: {
          type: 'authentication_error',
          code: 'invalid_api_key',
          message: 'The AI provider rejected the credentials of this server.',
          param: null,
          status: 401,
        },
      },
      {
        response: new Response('<html><body>Bad gateway</body></html>', { status: 502 }),
        error: {
          type: 'server_error',
          code: null,
          message: 'The AI provider answered with HTTP status 502.',
          param: null,
          status: 502,
        },
      },
    ];
    for (const { response, error } of cases) {
      const relayed = await readEvents(toSSEStream(Promise.resolve(response)));
      expect(relayed.map((m) => m.json)).toEqual([{ type: 'error', error }]);
    }
  });

  it('a dropped upstream connection ends the relay as the provider would: cut, and resumable', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events = imageResponseEvents();
    const text = sse(events);
    const cut = text.indexOf('partial_image_index":1');
    const onError = vi.fn();
    const relayed = await readEvents(
      toSSEStream(async () => failingResponse(text.slice(0, cut), new TypeError('terminated')), {
        onError,
      }),
    );
    // No error event: the client sees a stream cut short, as it would from the provider.
    expect(relayed.some((m) => m.event === 'error')).toBe(false);
    expect(onError).toHaveBeenCalledTimes(1);
    const store = createPartialImagesStore();
    await store.consume(
      toSSEStream(async () => failingResponse(text.slice(0, cut), new TypeError('terminated'))),
    );
    expect(store.getState()).toMatchObject({
      status: 'failed',
      error: { code: 'stream-truncated' },
    });
    expect(store.getState().items[0]?.frames).toHaveLength(1);
    // Anything else that fails mid-stream (a bug, an SDK's own error) is one safe error event.
    const broken = createPartialImagesStore();
    await broken.consume(toSSEStream(async () => failingResponse(text.slice(0, cut), new Error())));
    expect(broken.getState()).toMatchObject({
      status: 'failed',
      error: { code: 'provider-error', providerCode: 'upstream_error' },
    });
    expect(broken.getState().items[0]?.frames).toHaveLength(1);
  });

  it("relays the provider's own error events as they are, masking keys, and goes on", async () => {
    const events = imageResponseEvents({ ending: 'error' });
    const relayed = await readEvents(toSSEStream(iterate(events)));
    expect(relayed.map((m) => m.json)).toEqual(events); // `error`, then `response.failed`
    const leaking = { type: 'error', code: null, message: `bad key ${KEY}`, sequence_number: 3 };
    const [masked] = await readEvents(toSSEStream(iterate([leaking])));
    expect(masked?.json).toEqual({ ...leaking, message: 'bad key [redacted]' });
  });

  it('a whole result object (a non-streamed call) is relayed as one event', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const completed = realFrameEvents().at(-1) as { response: Record<string, unknown> };
    const relayed = await readEvents(toSSEStream(async () => completed.response));
    expect(relayed.map((m) => [m.event, m.json])).toEqual([[undefined, completed.response]]);
    expect(await finalState(toSSEStream(Promise.resolve(completed.response)))).toEqual(
      await finalState([completed.response]),
    );
  });

  it('misuse throws a TypeError at once; a function resolving to junk becomes an error event', async () => {
    expect(() => toSSEStream(42 as never)).toThrow(TypeError);
    expect(() => toSSEStream('data: x' as never)).toThrow(/`events` must be/);
    const onError = vi.fn();
    const relayed = await readEvents(toSSEStream(() => 42 as never, { onError }));
    expect(relayed.map((m) => (m.json as { type: string }).type)).toEqual(['error']);
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(TypeError);
  });
});

/** An SSE response whose connection dies after `text`. */
function failingResponse(text: string, fail: unknown) {
  let sent = false;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(fail);
        sent = true;
        controller.enqueue(bytesOf(text));
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}

describe('toSSEResponse', () => {
  it('sets the event-stream headers, lets yours win, and streams the same bytes', async () => {
    const events = imageResponseEvents();
    const response = toSSEResponse(iterate(events), {
      headers: { 'x-request-id': 'req_1', 'cache-control': 'no-store' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('x-request-id')).toBe('req_1');
    // Forbidden on HTTP/2 and pointless on HTTP/1.1: never set by the fetch-API relay.
    expect(response.headers.has('connection')).toBe(false);
    expect(await response.text()).toBe(sse(events));
    expect(SSE_HEADERS).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
  });

  it('passes status, statusText and the stream options on', async () => {
    const response = toSSEResponse(iterate(imageResponseEvents({ textDeltas: 2 })), {
      status: 201,
      statusText: 'Created',
      filter: 'images',
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect(await response.text()).not.toContain('output_text');
  });
});
