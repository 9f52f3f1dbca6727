/**
 * Reading an upstream for the relay: the same kinds of source as the core's `consume`, but
 * pulled one event at a time (so the client's pace sets the upstream's), keeping each raw SSE
 * payload's text so that it can be written back byte for byte.
 */

import type { StreamSource } from '../core/consume';
import {
  isAsyncIterable,
  isReadableStream,
  isResponseLike,
  isSyncIterable,
  isThenable,
} from '../core/guards';
import { parseEventData } from '../core/json';
import { abortedError, type ChunkReader, describeType, isByteChunk, scanReader } from '../core/sse';
import { UpstreamHttpError } from './errors';
import { toWireEvent } from './wire';

/**
 * What the relay reads: a stream of events (the SDKs' streams, a provider `Response`, a byte
 * stream, an async iterable), or one whole non-streamed result object (the OpenRouter SDK's
 * `OpenResponsesResult`, an openai `Response` object, an Images API result), relayed as one event.
 */
export type RelayUpstream = StreamSource | object;

/**
 * Everything `toSSEStream` accepts: a {@link RelayUpstream}, a promise of one (an SDK call), or a
 * function of an `AbortSignal` returning either, so that the relay owns the request and can
 * abort it. This includes the OpenRouter SDK's `Promise<OpenResponsesResult | EventStream>`, so
 * its result needs no narrowing.
 */
export type RelaySource =
  | RelayUpstream
  | PromiseLike<RelayUpstream>
  | ((signal: AbortSignal) => RelayUpstream | PromiseLike<RelayUpstream>);

/** One event read from the source, before filtering and framing. @internal */
export interface Unit {
  /** The wire-shaped event, or {@link NOT_JSON} for a data payload that is not JSON. */
  value: unknown;
  /** The payload exactly as it arrived (raw SSE sources), written back unchanged when possible. */
  text: string | null;
  /** The upstream `event:` name (raw SSE sources). */
  event: string;
  /** The upstream last event ID (raw SSE sources). */
  id: string;
}

/** Read `data: [DONE]`: the relay writes it and ends. */
export const DONE = Symbol('[DONE]');
/** The value of a data payload that is not JSON. */
export const NOT_JSON = Symbol('not JSON');
const MAX_ERROR_BODY = 64 * 1024;

const noop = () => {};

function objectUnit(value: unknown): Unit {
  return { value: toWireEvent(value), text: null, event: '', id: '' };
}

/** A plain object: a whole result, or one event (what JSON and zod produce). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Can {@link readSource} read `value` once resolved? @internal */
export function isRelayUpstream(value: unknown): boolean {
  return (
    isResponseLike(value) ||
    isReadableStream(value) ||
    isAsyncIterable(value) ||
    (isSyncIterable(value) && typeof value !== 'string') ||
    isPlainObject(value)
  );
}

/** The openai SDK's `Stream` carries the `AbortController` of its request. */
function abortOwnController(source: unknown) {
  const controller = (source as { controller?: { abort?: unknown } } | null)?.controller;
  if (controller && typeof controller.abort === 'function') {
    try {
      (controller as AbortController).abort();
    } catch {
      // Nothing more can be done for it.
    }
  }
}

/** Releases a source that arrived after the relay was already over. */
function discard(source: unknown) {
  if (isResponseLike(source)) {
    source.body?.cancel().catch(noop);
  } else if (isReadableStream(source)) {
    if (!source.locked) source.cancel().catch(noop);
  } else {
    abortOwnController(source);
  }
}

/** Resolves `promise`, or rejects with `aborted` when `signal` fires first (and then discards). */
function settle<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      Promise.resolve(promise).then(discard, noop);
      reject(abortedError(signal));
      return;
    }
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) discard(value);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** SSE messages of a byte reader. `[DONE]` ends the relay; anything after it is ignored. */
async function* readSSE(
  reader: ChunkReader,
  signal: AbortSignal,
  first?: unknown,
): AsyncGenerator<Unit | typeof DONE, void, undefined> {
  for await (const message of scanReader(reader, signal, first)) {
    if (message.data === '[DONE]') {
      yield DONE;
      return;
    }
    let value: unknown;
    try {
      value = parseEventData(message.data, message.clean);
    } catch {
      value = NOT_JSON;
    }
    yield { value, text: message.data, event: message.event, id: message.id };
  }
}

async function* readResponse(
  response: Response,
  signal: AbortSignal,
): AsyncGenerator<Unit | typeof DONE, void, undefined> {
  if (!response.ok) {
    let body: string | null = null;
    try {
      body = (await settle(response.text(), signal)).slice(0, MAX_ERROR_BODY);
    } catch {
      if (signal.aborted) throw abortedError(signal);
    }
    throw new UpstreamHttpError(response.status, body);
  }
  const type = response.headers?.get?.('content-type') ?? '';
  if (/json/i.test(type) && !/event-stream/i.test(type)) {
    // Some providers answer a streaming request with a whole JSON body: relay it as one event.
    const value = JSON.parse(await settle(response.text(), signal)) as unknown;
    yield { value, text: null, event: '', id: '' };
    return;
  }
  if (response.body === null) return;
  const reader = response.body.getReader();
  try {
    yield* readSSE(reader, signal);
  } finally {
    reader.releaseLock();
  }
}

/** A stream of either bytes (SSE) or parsed events (the OpenRouter SDK's `EventStream`). */
async function* readStream(
  stream: ReadableStream<unknown>,
  signal: AbortSignal,
): AsyncGenerator<Unit | typeof DONE, void, undefined> {
  const reader = stream.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(noop);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let settled = false; // read to the end, or handed to readSSE (which cancels on its own)
  try {
    const first = await reader.read();
    if (signal.aborted) throw abortedError(signal);
    if (first.done) {
      settled = true;
      return;
    }
    if (isByteChunk(first.value)) {
      signal.removeEventListener('abort', onAbort);
      settled = true;
      yield* readSSE(reader, signal, first.value);
      return;
    }
    yield objectUnit(first.value);
    for (;;) {
      const result = await reader.read();
      if (signal.aborted) throw abortedError(signal);
      if (result.done) break;
      yield objectUnit(result.value);
    }
    settled = true;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!settled) await reader.cancel().catch(noop);
    reader.releaseLock();
  }
}

/** An async iterable of parsed events (the openai SDK's `Stream`, an async generator). */
async function* readIterator(
  source: AsyncIterable<unknown>,
  signal: AbortSignal,
): AsyncGenerator<Unit, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let stopped = false;
  // Not awaited: an async generator queues `return()` behind a pending `next()`, which may wait
  // on a stalled network. Aborting the request's own controller is what unblocks it.
  const stop = () => {
    if (stopped) return;
    stopped = true;
    abortOwnController(source);
    try {
      Promise.resolve(iterator.return?.()).catch(noop);
    } catch {
      // A throwing `return` has nothing left to release.
    }
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const result = await settle(iterator.next(), signal);
      if (result.done) {
        stopped = true;
        return;
      }
      yield objectUnit(result.value);
    }
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/**
 * Reads any source into units: resolves the function and promise forms, then reads a provider
 * `Response`, a byte or event `ReadableStream`, an (async) iterable, or a whole result object. Every await is raced
 * against `signal`, whose abort also cancels the upstream by every handle the source offers.
 * Throws what the upstream throws, {@link UpstreamHttpError} for a non-2xx `Response`, and a
 * `PartialImagesError` `aborted` once `signal` fired.
 */
export async function* readSource(
  input: RelaySource,
  signal: AbortSignal,
): AsyncGenerator<Unit | typeof DONE, void, undefined> {
  let source: unknown = input;
  if (typeof source === 'function') source = (source as (s: AbortSignal) => unknown)(signal);
  if (isThenable(source)) source = await settle(source, signal);
  if (signal.aborted) {
    discard(source);
    throw abortedError(signal);
  }
  if (isResponseLike(source)) return yield* readResponse(source, signal);
  if (isReadableStream(source)) return yield* readStream(source, signal);
  if (isAsyncIterable(source)) return yield* readIterator(source, signal);
  if (isSyncIterable(source) && typeof source !== 'string') {
    for (const value of source) {
      if (signal.aborted) throw abortedError(signal);
      yield objectUnit(value);
    }
    return;
  }
  // A whole non-streamed result: one event (the core reads `object: "response"` bodies).
  if (isPlainObject(source)) {
    yield objectUnit(source);
    return;
  }
  throw new TypeError(
    `The events function resolved to ${describeType(source)}, not a stream of events.`,
  );
}
