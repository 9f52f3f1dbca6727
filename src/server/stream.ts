/**
 * `toSSEStream()`: an SDK stream, a provider `Response` or a byte stream, written back out as
 * server-sent events in the provider's wire format, for a route handler to relay to the browser.
 *
 * Pull-based: the upstream is read only as fast as the client reads (one event ahead), so a slow
 * client slows the upstream read instead of filling memory. Cancelling the stream (the client
 * went away) aborts the upstream request by every handle there is: the `AbortSignal` given to the
 * function form, `iterator.return()`, the openai `Stream`'s own `controller`, and the upstream
 * body. Only the fetch API is used, so it runs wherever `ReadableStream` does.
 */

import { isThenable } from '../core/guards';
import { describeType } from '../core/sse';
import { redactErrorEvent, redactSecrets, toSSEErrorEvent } from './errors';
import { DONE, isRelayUpstream, NOT_JSON, type RelaySource, readSource, type Unit } from './source';
import { isImageStreamEvent } from './wire';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/** A wire-shaped event as the filter sees it (snake_case; OpenRouter's wrapper unwrapped). */
export type WireEvent = Readonly<Record<string, unknown>>;

/**
 * Which events to relay: `'all'`, the `'images'` preset ({@link isImageStreamEvent}), or a
 * predicate over each wire-shaped event (return `true` to keep it). Payloads that are not JSON
 * objects are relayed by `'all'` only.
 */
export type SSEEventFilter = 'all' | 'images' | ((event: WireEvent) => boolean);

/** Options of {@link toSSEStream}. */
export interface ToSSEStreamOptions {
  /**
   * Aborts the relay: the upstream is cancelled and the stream closes. Pass the incoming
   * request's signal (`request.signal`) so that a client disconnect the runtime reports there
   * also stops the upstream.
   */
  signal?: AbortSignal | undefined;
  /**
   * Which events to relay.
   * @defaultValue `'all'`
   */
  filter?: SSEEventFilter | undefined;
  /**
   * Milliseconds of silence after which a `: keep-alive` comment is written, so that proxies and
   * load balancers do not drop an idle connection while the model works on the first frame.
   * `false` or `0` turns it off. SSE parsers (the core's, the SDKs', `EventSource`) skip comments.
   * @defaultValue 15000
   */
  keepAlive?: number | false | undefined;
  /**
   * Called with the original error when an upstream failure is relayed as a (safe, generic)
   * `error` event: log it here, since the browser never sees its message or stack. Not called
   * for aborts. What it throws is ignored.
   */
  onError?: ((error: unknown) => void) | undefined;
}

/** The default {@link ToSSEStreamOptions.keepAlive} interval. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

const encoder = /* @__PURE__ */ new TextEncoder();
const KEEP_ALIVE = ': keep-alive\n\n';
const LINE_BREAK = /[\r\n]/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keeps(filter: SSEEventFilter, value: unknown): boolean {
  if (filter === 'all') return true;
  if (!isRecord(value)) return false;
  return filter === 'images' ? isImageStreamEvent(value) : filter(value) === true;
}

/** `event:` + `data:` lines of one event; `data` may hold `\n` (several upstream data lines). */
function frame(type: string, data: string, id: string | null): string {
  let out = '';
  if (type !== '' && !LINE_BREAK.test(type)) out += `event: ${type}\n`;
  if (id !== null && !LINE_BREAK.test(id)) out += `id: ${id}\n`;
  if (data.includes('\n')) {
    for (const line of data.split('\n')) out += `data: ${line}\n`;
  } else {
    out += `data: ${data}\n`;
  }
  return `${out}\n`;
}

// ---------------------------------------------------------------------------------------------
// toSSEStream
// ---------------------------------------------------------------------------------------------

/**
 * Relays an upstream stream as server-sent events in the provider's wire format:
 * `event: <type>\ndata: <json>\n\n` per event, snake_case as on the wire, unknown fields kept.
 * The core's `parseSSE` (and `consume`, and the React hook) read it back exactly.
 *
 * Sources, the same as the core's `consume` accepts:
 * - an SDK stream: the openai SDK's `Stream` (events are written as they are), the OpenRouter
 *   SDK's `EventStream` (camelCase events are written back in snake_case, and its `UNKNOWN`
 *   wrapper as the raw event it wraps; see {@link toWireEvent}), any (async) iterable of events;
 * - a provider `Response` or a `ReadableStream<Uint8Array>` of SSE: each event's payload is passed
 *   through byte for byte (comments dropped, lines re-framed, `data: [DONE]` kept and ending the
 *   relay). A non-2xx `Response` becomes an `error` event; a JSON body becomes one event;
 * - a whole non-streamed result object (a `stream: false` call, or the OpenRouter SDK's
 *   `OpenResponsesResult` side of its union): written as one event, which the core understands;
 * - a promise of any of these (`client.responses.create({ stream: true, … })`);
 * - a function `(signal) => source | Promise<source>`: the relay owns the request and aborts
 *   `signal` when the client goes away. Prefer this form.
 *
 * Failures: when the upstream throws (the SDK's `APIError`, a network error) or answers non-2xx,
 * one `error` event in OpenAI's nested shape
 * `{"type":"error","error":{"type":…,"code":…,"message":…,"param":…}}` is written and the stream
 * ends. Its message is safe to show: the provider's own message (first line, secrets masked) or a
 * generic one; never a stack, a header or an API key. `onError` gets the original. The provider's
 * own `error` events are relayed as they are, with anything that looks like a key masked.
 *
 * The returned stream never errors: it ends after the upstream ends, fails, or is cancelled.
 *
 * @param events - The upstream: see above.
 * @param options - `signal`, `filter`, `keepAlive`, `onError`.
 * @throws `TypeError` at once when `events` is none of the accepted kinds.
 *
 * @example
 * ```ts
 * const body = toSSEStream((signal) =>
 *   openai.responses.create({ model, input, tools, stream: true }, { signal }),
 * )
 * return new Response(body, { headers: SSE_HEADERS })
 * ```
 */
export function toSSEStream(
  events: RelaySource,
  options: ToSSEStreamOptions = {},
): ReadableStream<Uint8Array> {
  if (typeof events !== 'function' && !isThenable(events) && !isRelayUpstream(events)) {
    throw new TypeError(
      `\`events\` must be an SDK stream, a Response, a ReadableStream, an (async) iterable of ` +
        `events, a result object, a promise of one, or a function of an AbortSignal returning ` +
        `one; got ` +
        `${describeType(events)}.`,
    );
  }
  const { signal: outer, filter = 'all', onError } = options;
  const interval =
    typeof options.keepAlive === 'number' && options.keepAlive > 0
      ? options.keepAlive
      : options.keepAlive === undefined
        ? DEFAULT_KEEP_ALIVE_MS
        : 0;
  const upstream = new AbortController();
  const units = readSource(events, upstream.signal);
  let output: ReadableStreamDefaultController<Uint8Array> | null = null;
  let finished = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastId = '';

  const arm = () => {
    if (interval === 0 || finished) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (finished || output === null) return;
      // Data already waiting to be read keeps the connection busy enough.
      if ((output.desiredSize ?? 0) > 0) output.enqueue(encoder.encode(KEEP_ALIVE));
      arm();
    }, interval);
  };

  const write = (text: string) => {
    output?.enqueue(encoder.encode(text));
    arm();
  };

  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
    // Runs the source's cleanup (cancels what is left of the body) once it is suspended.
    units.return(undefined).catch(() => {});
    try {
      output?.close();
    } catch {
      // Already closed or cancelled.
    }
  };

  const onOuterAbort = () => {
    upstream.abort(outer?.reason);
    finish();
  };

  const fail = (thrown: unknown) => {
    if (onError) {
      try {
        onError(thrown);
      } catch {
        // A failing logger must not take the relay down with it.
      }
    }
    write(frame('error', JSON.stringify(toSSEErrorEvent(thrown)), null));
    finish();
  };

  /** The `id:` to write: only when the upstream's last event ID changed. */
  const idOf = (unit: Unit): string | null => {
    if (unit.id === lastId) return null;
    lastId = unit.id;
    return unit.id;
  };

  const format = (unit: Unit): string | null => {
    let value = unit.value;
    if (value === NOT_JSON) {
      if (filter !== 'all' || unit.text === null) return null;
      const text = unit.event === 'error' ? redactSecrets(unit.text) : unit.text;
      return frame(unit.event, text, idOf(unit));
    }
    if (!keeps(filter, value)) return null;
    let data: string | null | undefined = unit.text;
    if (isRecord(value)) {
      const clean = redactErrorEvent(value);
      if (clean !== value) {
        value = clean;
        data = null;
      }
    }
    data ??= JSON.stringify(value) as string | undefined;
    if (data === undefined) return null; // `undefined` or a function: nothing to send
    const type = isRecord(value) && typeof value.type === 'string' ? value.type : unit.event;
    return frame(type, data, idOf(unit));
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      output = controller;
      if (outer?.aborted) {
        upstream.abort(outer.reason);
        finish();
        return;
      }
      outer?.addEventListener('abort', onOuterAbort, { once: true });
      arm();
    },
    async pull() {
      // Loops until one event is written: filtered-out events write nothing.
      while (!finished) {
        let step: IteratorResult<Unit | typeof DONE>;
        try {
          step = await units.next();
        } catch (thrown) {
          if (finished) return;
          if (upstream.signal.aborted) finish();
          else fail(thrown);
          return;
        }
        if (finished) return;
        if (step.done) return finish();
        if (step.value === DONE) {
          write('data: [DONE]\n\n');
          return finish();
        }
        let text: string | null;
        try {
          text = format(step.value);
        } catch (thrown) {
          // JSON.stringify of an event the SDK built (a BigInt, a cycle): a bug upstream.
          upstream.abort(thrown);
          fail(thrown);
          return;
        }
        if (text !== null) return write(text);
      }
    },
    cancel(reason) {
      // The client went away: stop paying for the image.
      upstream.abort(reason);
      finish();
    },
  });
}
