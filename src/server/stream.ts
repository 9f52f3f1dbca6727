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

import { describeType, isReadableSource, isThenable } from '../core/source';
import { joinPieces, type Pieces } from '../core/text';
import { redactErrorEvent, redactSecrets, toSSEErrorEvent } from './errors';
import { DONE, NOT_JSON, type RelaySource, readUnits, type Unit } from './source';
import { createFinalUploader, type UploadFinalImage } from './upload';
import { createFinalsTracker, isImageStreamEvent } from './wire';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/** A wire-shaped event as the filter sees it (snake_case; OpenRouter's wrapper unwrapped). */
export type WireEvent = Readonly<Record<string, unknown>>;

/**
 * Which events to relay: `'all'`; `'images'`, what a partial-image UI needs (the response
 * lifecycle, image events, errors; not text or reasoning deltas, function calls, keep-alives),
 * without the repeat of each final image in `response.completed`; or a predicate over each
 * wire-shaped event (return `true` to keep it), told whether the preset would keep it.
 * Payloads that are not JSON objects are relayed by `'all'` only.
 *
 * @example
 * ```ts
 * // The preset plus the text of the assistant's message:
 * filter: (event, { image }) => image || event.type === 'response.output_text.delta'
 * ```
 */
export type SSEEventFilter =
  | 'all'
  | 'images'
  | ((event: WireEvent, info: { readonly image: boolean }) => boolean);

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
   * `error` event, or an upload failed: log it here, since the browser never sees its message
   * or stack. Not called for aborts. What it throws is ignored.
   */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Stores each final image (an object store: S3, R2, GCS, …) and resolves to its `https:` URL.
   * When given, the relayed final carries that URL instead of the base64 (in
   * `response.output_item.done`, the Images API's `completed`, and `response.completed`), so
   * no final base64 reaches the browser or the chat history it saves; previews stream as
   * before. If an upload fails (or does not resolve to an `https:` URL), the base64 is sent and
   * `onError` hears why. The signal aborts when the client goes away.
   */
  uploadFinalImage?: UploadFinalImage | undefined;
}

/** The default {@link ToSSEStreamOptions.keepAlive} interval. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

const encoder = /* @__PURE__ */ new TextEncoder();
const KEEP_ALIVE = ': keep-alive\n\n';
const LINE_BREAK = /[\r\n]/;

/**
 * Is this what a dropped upstream connection throws (undici's `TypeError: terminated`, a socket
 * reset, the openai SDK's `APIConnectionError`, or its `SyntaxError` for the half event a cut
 * connection leaves), rather than an API error or a bug?
 */
function isDroppedConnection(thrown: unknown): boolean {
  if (typeof thrown !== 'object' || thrown === null) return false;
  const { name, message, cause, code } = thrown as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
    code?: unknown;
  };
  if (name === 'APIConnectionError') return true;
  const codes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_ABORTED']);
  if (typeof code === 'string' && codes.has(code)) return true;
  const causeCode = (cause as { code?: unknown } | null | undefined)?.code;
  if (typeof causeCode === 'string' && codes.has(causeCode)) return true;
  if (typeof message !== 'string') return false;
  // openai >= 7 reads the half event a cut connection leaves as malformed JSON.
  if (name === 'SyntaxError') return /malformed server-sent event/i.test(message);
  return (
    name === 'TypeError' &&
    /^(terminated|fetch failed|network error|failed to fetch|networkerror.*)$/i.test(message)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text of one event, in pieces (the payload's own pieces are not joined): `event:` and `id:`
 * lines, then one `data:` line per line of the payload.
 */
function frame(type: string, data: Pieces | string, id: string | null): string[] {
  let head = '';
  if (type !== '' && !LINE_BREAK.test(type)) head += `event: ${type}\n`;
  if (id !== null && !LINE_BREAK.test(id)) head += `id: ${id}\n`;
  head += 'data: ';
  if (typeof data === 'string') {
    return [`${head}${data.includes('\n') ? data.split('\n').join('\ndata: ') : data}\n\n`];
  }
  const out = [head];
  // The scanner stores each line break between data lines as its own piece.
  for (const part of data.parts) out.push(part === '\n' ? '\ndata: ' : part);
  out.push('\n\n');
  return out;
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
 *   wrapper as the raw event it wraps), the OpenAI Agents SDK's streamed run, any (async)
 *   iterable of events;
 * - a provider `Response` or a `ReadableStream<Uint8Array>` of SSE (a provider's, or the AI SDK's
 *   `toUIMessageStreamResponse()`): each event's payload is passed through unchanged (comments
 *   dropped, lines re-framed, `data: [DONE]` kept and ending the relay). A non-2xx `Response`
 *   becomes an `error` event; a JSON body becomes one event;
 * - a whole non-streamed result object (a `stream: false` call, or the OpenRouter SDK's
 *   `OpenResponsesResult` side of its union): written as one event, which the core understands;
 * - a promise of any of these (`client.responses.create({ stream: true, … })`);
 * - a function `(signal) => source | Promise<source>`: the relay owns the request and aborts
 *   `signal` when the client goes away. Prefer this form.
 *
 * Memory: pull-based, one event at a time, written out in pieces of the size it arrived in, so a
 * slow client holds about one event plus the stream's queue, and slows the upstream read.
 *
 * Failures: when the upstream throws (the SDK's `APIError`) or answers non-2xx, one `error` event
 * in OpenAI's nested shape `{"type":"error","error":{"type":…,"code":…,"message":…,"param":…}}`
 * is written and the stream ends. Its message is safe to show: the provider's own message (first
 * line, secrets masked) or a generic one; never a stack, a header or an API key. `onError` gets
 * the original. When the upstream connection drops mid-stream, the relay ends without an event,
 * as the provider's own stream would have, so that the client sees a cut stream (and can
 * `resume`). The provider's own `error` events are relayed as they are, with anything that looks
 * like a key masked.
 *
 * The returned stream never errors: it ends after the upstream ends, fails, or is cancelled.
 *
 * @param events - The upstream: see above.
 * @param options - `signal`, `filter`, `keepAlive`, `onError`, `uploadFinalImage`.
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
  if (typeof events !== 'function' && !isThenable(events) && !isReadableSource(events, true)) {
    throw new TypeError(
      `\`events\` must be an SDK stream, a Response, a ReadableStream, an (async) iterable of ` +
        `events, a result object, a promise of one, or a function of an AbortSignal returning ` +
        `one; got ${describeType(events)}.`,
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
  const report = (error: unknown) => {
    if (!onError) return;
    try {
      onError(error);
    } catch {
      // A failing logger must not take the relay down with it.
    }
  };
  const units = readUnits(events, upstream.signal, (length) =>
    report(new Error(`An upstream event of ${length} characters was too large to relay.`)),
  );
  const finals = filter === 'images' ? createFinalsTracker() : null;
  const uploader = options.uploadFinalImage
    ? createFinalUploader(options.uploadFinalImage, upstream.signal, report)
    : null;
  let output: ReadableStreamDefaultController<Uint8Array> | null = null;
  let finished = false;
  let wrote = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastId = '';
  /** The rest of the event being written, piece by piece as the client reads. */
  let pending: string[] = [];

  const arm = () => {
    if (interval === 0 || finished) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (finished || output === null) return;
      // Data already waiting to be read keeps the connection busy enough.
      if ((output.desiredSize ?? 0) > 0 && pending.length === 0) {
        output.enqueue(encoder.encode(KEEP_ALIVE));
      }
      arm();
    }, interval);
  };

  /** Writes the next piece of the current event. */
  const writeNext = () => {
    const piece = pending.shift();
    if (piece === undefined) return;
    output?.enqueue(encoder.encode(piece));
    wrote = true;
    arm();
  };

  const finish = () => {
    if (finished) return;
    finished = true;
    pending = [];
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
    report(thrown);
    // A connection that dropped mid-stream ends the relay as it would have ended the provider's
    // own stream: without a terminal event, so that the client can tell (and resume).
    if (wrote && isDroppedConnection(thrown)) return finish();
    const event = toSSEErrorEvent(thrown);
    pending = frame('error', JSON.stringify(event), null);
    while (pending.length > 0) writeNext();
    finish();
  };

  /** The id to write: only when the upstream's last event ID changed. */
  const idOf = (unit: Unit): string | null => {
    if (unit.id === lastId) return null;
    lastId = unit.id;
    return unit.id;
  };

  const format = async (unit: Unit): Promise<string[] | null> => {
    let value = unit.value;
    if (value === NOT_JSON) {
      if (filter !== 'all' || unit.text === null) return null;
      if (unit.event === 'error')
        return frame(unit.event, redactSecrets(joinPieces(unit.text)), idOf(unit));
      return frame(unit.event, unit.text, idOf(unit));
    }
    if (filter !== 'all') {
      if (!isRecord(value)) return null;
      const image = isImageStreamEvent(value);
      if (filter === 'images' ? !image : filter(value, { image }) !== true) return null;
    }
    let data: Pieces | string | null = unit.text;
    if (isRecord(value)) {
      let clean = redactErrorEvent(value);
      if (uploader) clean = await uploader(clean);
      if (finals) clean = finals(clean);
      if (clean !== value) {
        value = clean;
        data = null;
      }
    }
    data ??= (JSON.stringify(value) as string | undefined) ?? null;
    if (data === null) return null; // `undefined` or a function: nothing to send
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
      if (pending.length > 0) return writeNext();
      // Loops until something is written: filtered-out events write nothing.
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
          pending = ['data: [DONE]\n\n'];
          writeNext();
          return finish();
        }
        let pieces: string[] | null;
        try {
          pieces = await format(step.value);
          if (finished) return;
        } catch (thrown) {
          // JSON.stringify of an event the SDK built (a BigInt, a cycle): a bug upstream.
          upstream.abort(thrown);
          fail(thrown);
          return;
        }
        if (pieces !== null) {
          pending = pieces;
          return writeNext();
        }
      }
    },
    cancel(reason) {
      // The client went away: stop paying for the image.
      upstream.abort(reason);
      finish();
    },
  });
}
