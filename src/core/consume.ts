/**
 * Reads any supported source into raw events: the only I/O in the core.
 *
 * Sources: a fetch `Response` (SSE, or a JSON body, which some providers return even when asked
 * to stream), a byte `ReadableStream`, a stream or async iterable of parsed events (the OpenAI and
 * OpenRouter SDKs), a plain iterable of events, a promise of any of these, or a function of an
 * `AbortSignal` returning one.
 */

import { describeThrown, PartialImagesError } from './errors';
import { type PartialImageEvent, streamErrorEvent } from './events';
import {
  isAsyncIterable,
  isReadableStream,
  isResponseLike,
  isSyncIterable,
  isThenable,
} from './guards';
import { parseEventData } from './json';
import { abortedError, type ChunkReader, describeType, isByteChunk, scanReader } from './sse';

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

/** How a source ended when it did not throw. */
export type SourceEnd = 'done' | 'eof';

/** Callbacks of {@link pumpSource}. */
export interface PumpSink {
  /** A raw event (parsed JSON or an SDK's object). */
  raw(value: unknown): void;
  /** An event made here: a malformed payload, or an `event: error` without JSON. */
  event(event: PartialImageEvent): void;
}

const MAX_MESSAGE = 300;

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** Resolves `promise`, or rejects with `aborted` as soon as `signal` fires. */
function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function httpError(response: Response): Promise<PartialImagesError> {
  let detail = response.statusText || '';
  let providerCode: string | null = null;
  let providerType: string | null = null;
  try {
    const text = (await response.text()).slice(0, 64 * 1024);
    try {
      const body = JSON.parse(text) as { error?: unknown; message?: unknown };
      const error = (typeof body.error === 'object' && body.error !== null ? body.error : body) as {
        message?: unknown;
        code?: unknown;
        type?: unknown;
      };
      if (typeof error.message === 'string') detail = error.message;
      else if (typeof body.error === 'string') detail = body.error;
      if (typeof error.code === 'string' || typeof error.code === 'number') {
        providerCode = String(error.code);
      }
      if (typeof error.type === 'string') providerType = error.type;
    } catch {
      if (text.trim() !== '' && !text.trimStart().startsWith('<')) detail = text.trim();
    }
  } catch {
    // The body could not be read; the status says enough.
  }
  return new PartialImagesError(
    'http-error',
    clip(`HTTP ${response.status}${detail ? `: ${detail}` : ''}`),
    { httpStatus: response.status, providerCode, providerType },
  );
}

/** Reads SSE messages from a byte reader into the sink. */
async function pumpSSE(
  reader: ChunkReader,
  signal: AbortSignal,
  sink: PumpSink,
  first?: unknown,
): Promise<SourceEnd> {
  for await (const message of scanReader(reader, signal, first)) {
    const { data } = message;
    if (data === '[DONE]') return 'done'; // OpenRouter's sentinel: anything after it is ignored
    let value: unknown;
    try {
      value = parseEventData(data, message.clean);
    } catch (error) {
      if (message.event === 'error') {
        // `event: error` with a plain-text payload: still the provider's error.
        value = { type: 'error', error: { message: clip(data) } };
      } else {
        sink.event(
          streamErrorEvent(
            new PartialImagesError(
              'malformed-json',
              `An event's data is not valid JSON (${data.length} characters${
                message.event ? `, event "${clip(message.event)}"` : ''
              }); it was skipped.`,
              { cause: error },
            ),
            false,
          ),
        );
        continue;
      }
    }
    sink.raw(value);
  }
  return 'eof';
}

/** Reads a stream reader whose chunks are either bytes (SSE) or parsed events. */
async function pumpReader(
  reader: ChunkReader,
  signal: AbortSignal,
  sink: PumpSink,
): Promise<SourceEnd> {
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    const first = await reader.read();
    if (signal.aborted) throw abortedError(signal);
    if (first.done) {
      finished = true;
      return 'eof';
    }
    if (isByteChunk(first.value)) {
      signal.removeEventListener('abort', onAbort);
      finished = true; // scanReader owns the reader from here
      return await pumpSSE(reader, signal, sink, first.value);
    }
    // A stream of parsed events, such as the OpenRouter SDK's EventStream.
    sink.raw(first.value);
    for (;;) {
      const result = await reader.read();
      if (signal.aborted) throw abortedError(signal);
      if (result.done) break;
      sink.raw(result.value);
    }
    finished = true;
    return 'eof';
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/**
 * Adapts an async iterator to the reader shape, racing each step against the signal. Cancelling
 * does not wait for `return()`: an async generator queues it behind a pending `next()`, which
 * may wait on a network with nothing to say. An SDK stream's own `controller` (the openai SDK's
 * `Stream`) is aborted too, which cancels its request at once.
 */
function iteratorReader(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal,
  owner: unknown,
): ChunkReader {
  return {
    read: () => raceAbort(iterator.next(), signal),
    cancel: async () => {
      const controller = (owner as { controller?: unknown }).controller;
      if (controller instanceof AbortController) controller.abort();
      try {
        Promise.resolve(iterator.return?.()).catch(() => {});
      } catch {
        // A throwing return() changes nothing: we are leaving anyway.
      }
    },
  };
}

/**
 * Reads `source` until it ends, handing each event to `sink`.
 *
 * @returns `'done'` after `data: [DONE]`, `'eof'` when the source simply ended.
 * @throws `PartialImagesError` (`aborted`, `http-error`, `invalid-source`, `malformed-json` for a
 *   bad JSON body), or whatever the source itself threw.
 * @internal
 */
export async function pumpSource(
  input: PartialImagesSource,
  signal: AbortSignal,
  sink: PumpSink,
): Promise<SourceEnd> {
  let source: unknown = input;
  if (typeof source === 'function') source = (source as (s: AbortSignal) => unknown)(signal);
  if (isThenable(source)) source = await raceAbort(source, signal);
  if (signal.aborted) throw abortedError(signal);

  if (isResponseLike(source)) {
    if (!source.ok) throw await httpError(source);
    const type = source.headers?.get?.('content-type') ?? '';
    if (/json/i.test(type) && !/event-stream/i.test(type)) {
      const text = await raceAbort(source.text(), signal);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new PartialImagesError(
          'malformed-json',
          'The JSON response body is not valid JSON.',
          {
            cause: error,
          },
        );
      }
      sink.raw(body);
      return 'done';
    }
    if (source.body === null) return 'eof';
    const reader = source.body.getReader();
    try {
      return await pumpSSE(reader, signal, sink);
    } finally {
      reader.releaseLock();
    }
  }

  if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      return await pumpReader(reader, signal, sink);
    } finally {
      reader.releaseLock();
    }
  }

  if (isAsyncIterable(source)) {
    const iterator = source[Symbol.asyncIterator]();
    return pumpReader(iteratorReader(iterator, signal, source), signal, sink);
  }

  if (isSyncIterable(source)) {
    for (const value of source) {
      if (signal.aborted) throw abortedError(signal);
      sink.raw(value);
    }
    return 'eof';
  }

  throw new PartialImagesError(
    'invalid-source',
    `Cannot read ${describeType(source)}: pass a Response, a ReadableStream, an (async) iterable ` +
      'of events, a promise of one, or a function returning one.',
  );
}

/** Turns anything a source threw into a fatal {@link PartialImagesError}. @internal */
export function toSourceError(thrown: unknown, signal: AbortSignal): PartialImagesError {
  if (signal.aborted) return abortedError(signal);
  if (thrown instanceof PartialImagesError) return thrown;
  return new PartialImagesError(
    'stream-error',
    clip(`Reading the stream failed: ${describeThrown(thrown)}`),
    {
      cause: thrown,
    },
  );
}
