/**
 * Reading a source: the one place that resolves the function and promise forms, tells a byte
 * stream from a stream of parsed events, reads either with abort and cancel handled once, and
 * reads the body of an HTTP error. The store uses it in the page (and feeds the Worker from it);
 * the server relay uses it on the server.
 */

import { PartialImagesError } from './errors';
import { isPlainObject } from './record';

/** Something `consume` can read, without the promise or function wrappers. */
export type StreamSource =
  | Response
  | ReadableStream<Uint8Array>
  | ReadableStream<unknown>
  | AsyncIterable<unknown>
  | Iterable<unknown>;

/**
 * Everything `consume` (and the React hook) accepts: a {@link StreamSource}, a promise of one
 * (`fetch(...)`), or a function that gets an `AbortSignal` and returns either, so that the
 * library owns the request and can cancel it.
 */
export type PartialImagesSource =
  | StreamSource
  | PromiseLike<StreamSource>
  | ((signal: AbortSignal) => StreamSource | PromiseLike<StreamSource>);

// ---------------------------------------------------------------------------------------------
// Shapes (structural, not `instanceof`: a Response or a stream may come from another realm)
// ---------------------------------------------------------------------------------------------

/** A promise, or anything with a `then` (the openai SDK's `APIPromise`). @internal */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** A fetch `Response`. @internal */
export function isResponseLike(value: unknown): value is Response {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Response).arrayBuffer === 'function' &&
    typeof (value as Response).status === 'number' &&
    'body' in value
  );
}

/** A `ReadableStream` (of bytes, text or parsed events). @internal */
export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ReadableStream).getReader === 'function'
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isSyncIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

/** `a Response`, `null`, `an array`, `string`: for messages. @internal */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? `a ${name}` : 'an object';
  }
  return typeof value;
}

/** The bytes of a chunk, as a `Uint8Array` view (no copy). @internal */
export function toBytes(value: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Is `value` a chunk of a byte stream (rather than a parsed event)? Never throws: `instanceof`
 * on a revoked proxy would. @internal
 */
export function isByteChunk(value: unknown): value is ArrayBufferView | ArrayBuffer {
  if (ArrayBuffer.isView(value)) return true;
  try {
    return value instanceof ArrayBuffer;
  } catch {
    return false;
  }
}

/** The error for a stream of bytes or text that yielded something else. @internal */
export function notA(what: 'bytes' | 'text', value: unknown): PartialImagesError {
  return new PartialImagesError(
    'stream-error',
    `A stream of ${what} yielded ${value === null ? 'null' : typeof value}.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Abort
// ---------------------------------------------------------------------------------------------

/** The error every reader in the library throws once its signal fired. @internal */
export function abortedError(signal: AbortSignal): PartialImagesError {
  return new PartialImagesError('aborted', 'The stream was aborted.', { cause: signal.reason });
}

const noop = () => {};

/** Releases a source nobody will read (it arrived after the abort). */
function discard(source: unknown) {
  if (isResponseLike(source)) source.body?.cancel().catch(noop);
  else if (isReadableStream(source)) {
    if (!source.locked) source.cancel().catch(noop);
  } else abortOwnController(source);
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

/**
 * Resolves `promise`, or rejects with `aborted` as soon as `signal` fires; a value that arrives
 * after that is released (a body cancelled, a request aborted). @internal
 */
export function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
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

// ---------------------------------------------------------------------------------------------
// HTTP errors
// ---------------------------------------------------------------------------------------------

/** What a provider's JSON error body says (`{ error: {…} }` or flat). @internal */
export interface ProviderErrorFields {
  message?: unknown;
  code?: unknown;
  type?: unknown;
  param?: unknown;
}

/** The provider's error object in a body (a parsed object or its text), or `null`. @internal */
export function errorFields(body: unknown): ProviderErrorFields | null {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const nested = (value as { error?: unknown }).error;
  if (typeof nested === 'object' && nested !== null) return nested as ProviderErrorFields;
  return value as ProviderErrorFields;
}

const MAX_ERROR_BODY = 64 * 1024;

/** A non-2xx `Response`: its status and the start of its body. @internal */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly statusText: string;
  /** The first 64 KiB of the body (the rest is not read), or `null` when it could not be read. */
  readonly body: string | null;
  constructor(status: number, statusText: string, body: string | null) {
    super(`The response had HTTP status ${status}.`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.statusText = statusText;
    this.body = body;
  }
}

/** The first {@link MAX_ERROR_BODY} bytes of a body as text; the rest is never read. */
async function readStart(response: Response): Promise<string> {
  const stream = response.body;
  if (stream === null || typeof stream.getReader !== 'function') {
    return (await response.text()).slice(0, MAX_ERROR_BODY);
  }
  const reader = stream.getReader();
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let length = 0;
  try {
    while (length < MAX_ERROR_BODY) {
      const step = await reader.read();
      if (step.done || !isByteChunk(step.value)) break;
      const bytes = toBytes(step.value) as Uint8Array<ArrayBuffer>;
      parts.push(bytes);
      length += bytes.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return new Blob(parts).slice(0, MAX_ERROR_BODY).text();
}

async function httpStatusError(response: Response, signal: AbortSignal): Promise<HttpStatusError> {
  let body: string | null = null;
  try {
    body = await raceAbort(readStart(response), signal);
  } catch {
    if (signal.aborted) throw abortedError(signal);
  }
  return new HttpStatusError(response.status, response.statusText ?? '', body);
}

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

/** One step of a {@link ChunkReader}. @internal */
export type ReadStep = { done: true; value?: undefined } | { done: false; value: unknown };

/**
 * Chunks (bytes, text or parsed events) from a source, one `read()` at a time. `read()` rejects
 * with `aborted` once the signal fires (which also cancels the source); `cancel()` releases it
 * by every handle it has. @internal
 */
export interface ChunkReader {
  read(): Promise<ReadStep>;
  cancel(): void;
}

function streamReader(stream: ReadableStream<unknown>, signal: AbortSignal): ChunkReader {
  const reader = stream.getReader();
  let released = false;
  const cancel = () => {
    if (released) return;
    released = true;
    signal.removeEventListener('abort', cancel);
    reader.cancel(signal.reason).catch(noop);
    try {
      reader.releaseLock();
    } catch {
      // A pending read keeps the lock in old implementations; the cancel releases it anyway.
    }
  };
  signal.addEventListener('abort', cancel, { once: true });
  return {
    async read() {
      const step = (await raceAbort(reader.read(), signal)) as ReadStep;
      if (step.done) {
        released = true;
        signal.removeEventListener('abort', cancel);
        reader.releaseLock();
      }
      return step;
    },
    cancel,
  };
}

/**
 * An async iterator as a reader. Cancelling does not wait for `return()`: an async generator
 * queues it behind a pending `next()`, which may wait on a network with nothing to say; aborting
 * an SDK stream's own `controller` (the openai SDK's `Stream`) cancels its request at once.
 */
function iteratorReader(source: AsyncIterable<unknown>, signal: AbortSignal): ChunkReader {
  const iterator = source[Symbol.asyncIterator]();
  let stopped = false;
  const cancel = () => {
    if (stopped) return;
    stopped = true;
    signal.removeEventListener('abort', cancel);
    abortOwnController(source);
    try {
      Promise.resolve(iterator.return?.()).catch(noop);
    } catch {
      // A throwing return() changes nothing: we are leaving anyway.
    }
  };
  signal.addEventListener('abort', cancel, { once: true });
  return {
    async read() {
      const step = await raceAbort(iterator.next(), signal);
      if (step.done) {
        stopped = true;
        signal.removeEventListener('abort', cancel);
        return { done: true };
      }
      return { done: false, value: step.value };
    },
    cancel,
  };
}

function syncReader(source: Iterable<unknown>, signal: AbortSignal): ChunkReader {
  const iterator = source[Symbol.iterator]();
  return {
    async read() {
      if (signal.aborted) throw abortedError(signal);
      const step = iterator.next();
      return step.done ? { done: true } : { done: false, value: step.value };
    },
    cancel() {
      try {
        iterator.return?.();
      } catch {
        // Nothing to release.
      }
    },
  };
}

/** A reader that first gives back a chunk already read from `reader`. */
function withFirst(first: ReadStep, reader: ChunkReader): ChunkReader {
  let pending: ReadStep | null = first;
  return {
    read() {
      if (pending === null) return reader.read();
      const step = pending;
      pending = null;
      return Promise.resolve(step);
    },
    cancel: () => reader.cancel(),
  };
}

const EMPTY: ChunkReader = { read: () => Promise.resolve({ done: true }), cancel: noop };

// ---------------------------------------------------------------------------------------------
// openSource
// ---------------------------------------------------------------------------------------------

/**
 * A source, resolved and classified:
 * - `sse`: bytes of server-sent events; `fromFetch` when they are a fetch body, whose chunks
 *   nobody else holds (so they may be transferred to a Worker);
 * - `json`: bytes of one JSON body (some providers answer a streaming request with one);
 * - `text`: a stream of strings, as server-sent events;
 * - `events`: parsed events (an SDK's stream, an async iterable, an array);
 * - `object`: one whole result object (the relay writes it as one event).
 * @internal
 */
export type OpenedSource =
  | { kind: 'sse' | 'json'; reader: ChunkReader; fromFetch: boolean }
  | { kind: 'text' | 'events'; reader: ChunkReader }
  | { kind: 'object'; value: Record<string, unknown> };

/**
 * Resolves `input` (calling the function form with `signal`, awaiting a promise) and opens it.
 * @throws `PartialImagesError` `aborted`; {@link HttpStatusError} for a non-2xx `Response`;
 *   `PartialImagesError` `invalid-source` for anything unreadable (a plain object too, unless
 *   `objects` is set); whatever the function or promise throws.
 * @internal
 */
export async function openSource(
  input: unknown,
  signal: AbortSignal,
  options: { objects?: boolean } = {},
): Promise<OpenedSource> {
  let source = input;
  if (typeof source === 'function') source = (source as (s: AbortSignal) => unknown)(signal);
  if (isThenable(source)) source = await raceAbort(source, signal);
  if (signal.aborted) {
    discard(source);
    throw abortedError(signal);
  }

  if (isResponseLike(source)) {
    if (!source.ok) throw await httpStatusError(source, signal);
    const type = source.headers?.get?.('content-type') ?? '';
    const kind = /json/i.test(type) && !/event-stream/i.test(type) ? 'json' : 'sse';
    if (source.body === null) return { kind, reader: EMPTY, fromFetch: true };
    return { kind, reader: streamReader(source.body, signal), fromFetch: true };
  }

  let reader: ChunkReader | null = null;
  if (isReadableStream(source)) reader = streamReader(source, signal);
  else if (isAsyncIterable(source)) reader = iteratorReader(source, signal);
  else if (isSyncIterable(source) && typeof source !== 'string')
    reader = syncReader(source, signal);
  if (reader !== null) {
    // What the chunks are decides how to read them: peek at the first.
    let first: ReadStep;
    try {
      first = await reader.read();
    } catch (error) {
      reader.cancel();
      throw error;
    }
    const next = withFirst(first, reader);
    if (first.done) return { kind: 'events', reader: next };
    if (isByteChunk(first.value)) return { kind: 'sse', reader: next, fromFetch: false };
    if (typeof first.value === 'string') return { kind: 'text', reader: next };
    return { kind: 'events', reader: next };
  }

  if (options.objects && isPlainObject(source)) return { kind: 'object', value: source };
  throw new PartialImagesError(
    'invalid-source',
    `Cannot read ${describeType(source)}: pass a Response, a ReadableStream, an (async) iterable ` +
      'of events, a promise of one, or a function returning one.',
  );
}

/** Can {@link openSource} read `value` once resolved (with `objects`)? @internal */
export function isReadableSource(value: unknown, objects = false): boolean {
  return (
    isResponseLike(value) ||
    isReadableStream(value) ||
    isAsyncIterable(value) ||
    (isSyncIterable(value) && typeof value !== 'string') ||
    (objects && isPlainObject(value))
  );
}
