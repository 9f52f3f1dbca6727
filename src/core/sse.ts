/**
 * Server-sent events, after WHATWG HTML § 9.2.6 "Interpreting an event stream".
 *
 * Built for the browser, where image events carry 1–3 MB of base64 on one `data:` line: each
 * chunk is decoded once by `TextDecoder` (native), line ends are found by the native string
 * `indexOf`, and a line that spans chunks is kept as the pieces it came in (`text.ts`), never
 * copied, until the JSON reader lifts its base64 out. A line over `maxLineLength` is refused while
 * it streams: its text is dropped as it arrives, and only its head is kept, to say which event it
 * was.
 */

import {
  describeType,
  isReadableStream,
  isResponseLike,
  type OpenedSource,
  openSource,
  toBytes,
} from './source';
import { emptyPieces, joinPieces, type Pieces, pushPiece } from './text';
import { createUtf8Decoder } from './utf8';

/** One dispatched server-sent event. */
export interface SSEMessage {
  /** The `event:` field, when the event had one (the spec's default type "message" is omitted). */
  event?: string;
  /** The `data:` lines of the event, joined with `\n`. */
  data: string;
  /** The last event ID (it persists across events, as the spec says), when one was set. */
  id?: string;
}

/** What the scanner reports (internal): an event, or a line it refused for its length. */
export type ScanItem =
  | { readonly kind: 'message'; readonly event: string; readonly id: string; readonly data: Pieces }
  | {
      readonly kind: 'oversized';
      /** The first characters of the line, to identify the event it belonged to. */
      readonly head: string;
      /** The line's length in characters. */
      readonly length: number;
    };

/** How much of a refused line is kept to identify it. */
const HEAD_LENGTH = 4096;

/** The first {@link HEAD_LENGTH} characters of `parts` followed by `extra`. */
function headOf(parts: readonly string[], extra: string): string {
  let head = '';
  for (const part of parts) {
    head += part.slice(0, HEAD_LENGTH - head.length);
    if (head.length >= HEAD_LENGTH) return head;
  }
  return head + extra.slice(0, HEAD_LENGTH - head.length);
}

/** Options of {@link createSSEScanner}. @internal */
export interface ScannerOptions {
  /** Lines longer than this (in characters) are refused while they stream. */
  maxLineLength?: number | undefined;
}

/**
 * The SSE state machine (internal). Feed it byte chunks (or text); it calls `emit` for each event.
 * @internal
 */
export function createSSEScanner(emit: (item: ScanItem) => void, options: ScannerOptions = {}) {
  const maxLine = options.maxLineLength ?? Number.POSITIVE_INFINITY;
  // The decoder drops one leading BOM, as the spec asks, and keeps any later U+FEFF.
  const decoder = createUtf8Decoder();

  let line = emptyPieces(); // the incomplete line so far
  let skipping = false; // the line went over maxLine: its text is being dropped
  let skippedHead = '';
  let skippedLength = 0;
  let skipLF = false; // the last chunk ended in CR: a LF starting the next one belongs to it

  let data = emptyPieces();
  let dataLines = 0;
  let eventType = '';
  let lastEventId = '';
  let textStarted = false;

  function dispatch() {
    if (dataLines === 0) {
      eventType = '';
      return;
    }
    const message: ScanItem = { kind: 'message', event: eventType, id: lastEventId, data };
    data = emptyPieces();
    dataLines = 0;
    eventType = '';
    emit(message);
  }

  /** A complete line, in `pieces` (which the caller gives up). */
  function processLine(pieces: Pieces) {
    const parts = pieces.parts;
    if (parts.length === 0) return dispatch();
    let first = parts[0] as string;
    // The field name, its colon and the character after it must be in the first part: a line
    // split within them has its first parts joined (a short copy) until they are.
    if (parts.length > 1) {
      let colon = first.indexOf(':');
      if (colon === -1 || colon + 1 >= first.length) {
        let head = '';
        let wide = false;
        while (parts.length > 0 && (colon === -1 || colon + 1 >= head.length)) {
          head += parts.shift() as string;
          wide = (pieces.wide.shift() as boolean) || wide;
          colon = head.indexOf(':');
        }
        parts.unshift(head);
        pieces.wide.unshift(wide);
        first = head;
      }
    }
    const c0 = first.charCodeAt(0);
    if (c0 === 58) return; // ':' a comment
    let field: string;
    let valueStart: number;
    if (c0 === 100 && first.startsWith('data:')) {
      field = 'data';
      valueStart = first.charCodeAt(5) === 32 ? 6 : 5;
    } else {
      const colon = first.indexOf(':');
      if (colon === -1) {
        // No colon: the whole line is the field name (and the value is empty).
        field = parts.length === 1 ? first : parts.join('');
        valueStart = -1;
      } else {
        field = first.slice(0, colon);
        valueStart = first.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
      }
    }
    if (field === 'data') {
      if (dataLines > 0) pushPiece(data, '\n', false);
      dataLines++;
      if (valueStart !== -1) {
        pushPiece(data, first.slice(valueStart), pieces.wide[0] === true);
        for (let i = 1; i < parts.length; i++) {
          pushPiece(data, parts[i] as string, pieces.wide[i] === true);
        }
      }
      return;
    }
    const value =
      valueStart === -1 ? '' : (parts.length === 1 ? first : parts.join('')).slice(valueStart);
    if (field === 'event') eventType = value;
    else if (field === 'id') {
      if (!value.includes('\u0000')) lastEventId = value;
    }
    // `retry` only matters to EventSource reconnection; other fields are ignored.
  }

  function endLine(text: string, wide: boolean) {
    if (skipping) {
      skippedLength += text.length;
      emit({ kind: 'oversized', head: skippedHead, length: skippedLength });
      skipping = false;
      skippedHead = '';
      skippedLength = 0;
      return;
    }
    if (line.length + text.length > maxLine) {
      emit({
        kind: 'oversized',
        head: headOf(line.parts, text),
        length: line.length + text.length,
      });
      line = emptyPieces();
      return;
    }
    if (line.parts.length === 0) {
      const pieces = emptyPieces();
      pushPiece(pieces, text, wide);
      return processLine(pieces);
    }
    pushPiece(line, text, wide);
    const pieces = line;
    line = emptyPieces();
    processLine(pieces);
  }

  function keep(text: string, wide: boolean) {
    if (skipping) {
      skippedLength += text.length;
      return;
    }
    pushPiece(line, text, wide);
    if (line.length > maxLine) {
      // Refuse the line while it streams: keep its head, drop the rest as it comes.
      skipping = true;
      skippedLength = line.length;
      skippedHead = headOf(line.parts, '');
      line = emptyPieces();
    }
  }

  function scan(text: string, wide: boolean) {
    const n = text.length;
    let pos = 0;
    if (skipLF) {
      skipLF = false;
      if (n > 0 && text.charCodeAt(0) === 10) pos = 1;
    }
    // The next CR, found once per chunk: most chunks have none, and searching again for every
    // line would be quadratic.
    let cr = text.indexOf('\r', pos);
    while (pos < n) {
      const lf = text.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
      let end = lf;
      if (cr !== -1 && (lf === -1 || cr < lf)) end = cr;
      if (end === -1) {
        keep(pos === 0 ? text : text.slice(pos), wide);
        return;
      }
      endLine(text.slice(pos, end), wide);
      if (end === cr) {
        if (end + 1 < n) {
          if (text.charCodeAt(end + 1) === 10) end++;
        } else {
          skipLF = true;
        }
      }
      pos = end + 1;
    }
  }

  return {
    /** Feeds the next chunk of bytes. */
    feed(chunk: Uint8Array) {
      const text = decoder.decode(chunk);
      // A chunk that decodes to one code unit per byte is ASCII (or close enough: the flag only
      // steers how base64 is kept).
      scan(text, text.length !== decoder.decodedBytes);
    },
    /** Feeds text that is already decoded (a stream of strings). */
    feedText(text: string) {
      let input = text;
      if (!textStarted && input !== '') {
        textStarted = true;
        if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
      }
      scan(input, /[^\0-\x7f]/.test(input));
    },
    /** Ends the input. An event without its closing blank line is discarded, as the spec says. */
    end() {
      const rest = decoder.end();
      if (rest !== '') scan(rest, true);
      line = emptyPieces();
      skipping = false;
      data = emptyPieces();
      dataLines = 0;
      eventType = '';
    },
  };
}

/** Options of {@link parseSSE}. */
export interface ParseSSEOptions {
  /** Stops reading and cancels the body. Iteration then throws a `PartialImagesError` `aborted`. */
  signal?: AbortSignal | undefined;
}

/**
 * Parses a server-sent event stream into messages.
 *
 * Follows WHATWG's "interpreting an event stream": one leading BOM is dropped; lines end in LF,
 * CR or CRLF (also when split across chunks); `:` lines are comments; several `data:` lines are
 * joined with `\n`; one space after the colon is stripped; a line without a colon is a field with
 * an empty value; an event without its closing blank line at the end of the stream is dropped.
 * Work is linear in the input, and there is no size cap on a line.
 *
 * Leaving the loop early (`break`) or aborting cancels the body.
 *
 * @param body - A fetch `Response` (its body is read) or a `ReadableStream<Uint8Array>`.
 * @param options - `signal` to abort reading.
 * @throws `TypeError` at once when `body` is neither; a `PartialImagesError` `aborted` from the
 *   iteration when the signal fires; whatever the stream itself throws (a network error).
 *
 * @example
 * ```ts
 * const response = await fetch('/api/image', { method: 'POST', body })
 * for await (const message of parseSSE(response)) {
 *   if (message.data === '[DONE]') break
 *   console.log(message.event, JSON.parse(message.data))
 * }
 * ```
 */
export function parseSSE(
  body: ReadableStream<Uint8Array> | Response,
  options: ParseSSEOptions = {},
): AsyncIterable<SSEMessage> {
  if (!isResponseLike(body) && !isReadableStream(body)) {
    throw new TypeError(
      `\`body\` must be a ReadableStream<Uint8Array> or a Response, got ${describeType(body)}.` +
        ' Did you mean to pass `response.body` or the `Response` itself?',
    );
  }
  return {
    async *[Symbol.asyncIterator]() {
      const signal = options.signal ?? new AbortController().signal;
      const stream = isResponseLike(body) ? body.body : body;
      if (stream === null) return;
      const queue: SSEMessage[] = [];
      const scanner = createSSEScanner((item) => {
        if (item.kind !== 'message') return;
        const message: SSEMessage = { data: joinPieces(item.data) };
        if (item.event !== '') message.event = item.event;
        if (item.id !== '') message.id = item.id;
        queue.push(message);
      });
      const { reader } = (await openSource(stream, signal)) as Extract<
        OpenedSource,
        { reader: unknown }
      >;
      let finished = false;
      try {
        for (;;) {
          const step = await reader.read();
          if (step.done) break;
          const value = step.value;
          if (typeof value === 'string') scanner.feedText(value);
          else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value))
            scanner.feed(toBytes(value));
          else
            throw new TypeError(
              `An SSE body chunk must be bytes or text, got ${describeType(value)}.`,
            );
          for (const message of queue.splice(0)) yield message;
        }
        scanner.end();
        for (const message of queue.splice(0)) yield message;
        finished = true;
      } finally {
        if (!finished) reader.cancel();
      }
    },
  };
}
