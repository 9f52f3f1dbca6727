/**
 * Server-sent events, parsed from bytes, after WHATWG HTML § 9.2.6 "Interpreting an event stream".
 *
 * Why not eventsource-parser: image events carry 1–3 MB of base64 in one `data:` line. This parser
 * works on bytes and makes one pass over such a line: a 4-bytes-at-a-time scan finds the line end
 * and learns whether the line is plain ASCII without control characters, so the line can become a
 * string by a straight copy and its JSON can skip re-scanning the base64 (see `json.ts`). Input is
 * consumed linearly: a line split over many chunks is joined once, when its end arrives.
 */

import { PartialImagesError } from './errors';
import { isReadableStream, isResponseLike } from './guards';

/** One dispatched server-sent event. */
export interface SSEMessage {
  /** The `event:` field, when the event had one (the spec's default type "message" is omitted). */
  event?: string;
  /** The `data:` lines of the event, joined with `\n`. */
  data: string;
  /** The last event ID (it persists across events, as the spec says), when one was set. */
  id?: string;
}

/** Options of {@link parseSSE}. */
export interface ParseSSEOptions {
  /** Stops reading and cancels the body. Iteration then throws a `PartialImagesError` `aborted`. */
  signal?: AbortSignal | undefined;
}

/** A message plus what the byte scan learnt about its data (internal). */
export interface ScannedMessage {
  event: string;
  data: string;
  id: string;
  /** The data is one line with no control characters, so JSON strings in it cannot hold any. */
  clean: boolean;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

// A lazily chosen ASCII decoder. Node's Buffer copies ASCII at memory speed; elsewhere
// TextDecoder is exact for ASCII too. Only used on bytes the scan proved to be ASCII.
type AsciiDecode = (bytes: Uint8Array) => string;
let asciiDecode: AsciiDecode | undefined;
function getAsciiDecode(utf8: TextDecoder): AsciiDecode {
  if (asciiDecode) return asciiDecode;
  const NodeBuffer = (
    globalThis as {
      Buffer?: {
        from(buffer: ArrayBufferLike, offset: number, length: number): { latin1Slice?: unknown };
      };
    }
  ).Buffer;
  if (NodeBuffer && typeof NodeBuffer.from === 'function') {
    // latin1 is the cheapest of Buffer's decoders and equals UTF-8 on ASCII bytes.
    asciiDecode = (bytes) =>
      (
        NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as {
          toString(encoding: string): string;
        }
      ).toString('latin1');
  } else {
    asciiDecode = (bytes) => utf8.decode(bytes);
  }
  return asciiDecode;
}

/**
 * The byte-level SSE state machine (internal). Feed it chunks; it calls `emit` for each event.
 * @internal
 */
export function createSSEScanner(emit: (message: ScannedMessage) => void) {
  // The decoder keeps a U+FEFF inside the stream; the one leading BOM is removed by hand below.
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  const decodeAscii = getAsciiDecode(utf8);

  let bomChecked = false;
  let head: Uint8Array | null = null; // the first bytes, kept until the BOM question is settled
  // An incomplete line: views of the chunks it came in, copied once when the line ends, into a
  // buffer reused from line to line (a fresh 2 MB buffer per frame costs more than the copy).
  let pieces: Uint8Array[] = [];
  let piecesLength = 0;
  let scratch = new Uint8Array(0);
  let lineCtrl = false; // the line has a control byte (tab, NUL, …)
  let lineHigh = false; // the line has a byte >= 0x80
  let skipLF = false; // the last chunk ended in CR: a LF starting the next one belongs to it

  let dataParts: string[] = [];
  let dataClean = true;
  let eventType = '';
  let lastEventId = '';

  function dispatch() {
    if (dataParts.length === 0) {
      eventType = '';
      return;
    }
    const data = dataParts.length === 1 ? (dataParts[0] as string) : dataParts.join('\n');
    const clean = dataClean && dataParts.length === 1;
    const event = eventType;
    dataParts = [];
    dataClean = true;
    eventType = '';
    emit({ event, data, id: lastEventId, clean });
  }

  function line(text: string, ctrl: boolean) {
    if (text === '') return dispatch();
    let field: string;
    let value: string;
    if (text.startsWith('data:')) {
      // The line that matters; `slice` of a flat string shares its memory.
      field = 'data';
      value = text.slice(text.charCodeAt(5) === SPACE ? 6 : 5);
    } else {
      const colon = text.indexOf(':');
      if (colon === -1) {
        field = text;
        value = '';
      } else {
        field = text.slice(0, colon);
        value = text.slice(text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
      }
    }
    switch (field) {
      case 'data':
        dataParts.push(value);
        if (ctrl) dataClean = false;
        break;
      case 'event':
        eventType = value;
        break;
      case 'id':
        if (!value.includes('\u0000')) lastEventId = value;
        break;
      // `retry` only matters to EventSource reconnection, and other fields are ignored.
    }
  }

  function endLine(chunk: Uint8Array, start: number, end: number) {
    const ctrl = lineCtrl;
    const high = lineHigh;
    lineCtrl = false;
    lineHigh = false;
    let bytes: Uint8Array;
    if (piecesLength === 0) {
      bytes = chunk.subarray(start, end);
    } else {
      const total = piecesLength + end - start;
      if (scratch.length < total) scratch = new Uint8Array(Math.max(total, scratch.length * 2));
      let offset = 0;
      for (const piece of pieces) {
        scratch.set(piece, offset);
        offset += piece.length;
      }
      scratch.set(chunk.subarray(start, end), offset);
      bytes = scratch.subarray(0, total);
      pieces = [];
      piecesLength = 0;
    }
    if (bytes.length > 0 && bytes[0] === COLON) return; // a comment: not even decoded
    line(bytes.length === 0 ? '' : high ? utf8.decode(bytes) : decodeAscii(bytes), ctrl);
  }

  function scan(chunk: Uint8Array) {
    const n = chunk.length;
    let start = 0;
    if (skipLF) {
      skipLF = false;
      if (n > 0 && chunk[0] === LF) start = 1;
    }
    // One aligned 32-bit view per chunk for the word scan.
    const misalign = (4 - (chunk.byteOffset & 3)) & 3;
    const wordCount = n > misalign ? (n - misalign) >> 2 : 0;
    const words =
      wordCount > 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset + misalign, wordCount) : null;
    const wordsEnd = misalign + wordCount * 4;

    let i = start;
    while (i < n) {
      // Word-at-a-time while aligned: stop at the first word holding a byte < 0x20 or >= 0x80.
      if (words !== null && i >= misalign && i < wordsEnd && ((i - misalign) & 3) === 0) {
        // For one word x, ((x - 0x20202020) | x) & 0x80808080 is non-zero exactly when a byte is
        // < 0x20 or >= 0x80: the lowest such byte sets its own top bit (a borrow only ever starts
        // at a byte < 0x20, itself a hit). Two words per step, then one.
        let w = (i - misalign) >> 2;
        const pairs = wordCount - 1;
        for (; w < pairs; w += 2) {
          const a = words[w] as number;
          const b = words[w + 1] as number;
          if (((a - 0x20202020) | a | (b - 0x20202020) | b) & 0x80808080) break;
        }
        for (; w < wordCount; w++) {
          const x = words[w] as number;
          if (((x - 0x20202020) | x) & 0x80808080) break;
        }
        i = misalign + w * 4;
        if (i >= n) break;
      }
      const c = chunk[i] as number;
      if (c < 0x20) {
        if (c === LF || c === CR) {
          endLine(chunk, start, i);
          if (c === CR) {
            if (i + 1 < n) {
              if (chunk[i + 1] === LF) i++;
            } else {
              skipLF = true;
            }
          }
          start = i + 1;
        } else {
          lineCtrl = true;
        }
      } else if (c >= 0x80) {
        lineHigh = true;
      }
      i++;
    }
    if (start < n) {
      pieces.push(chunk.subarray(start));
      piecesLength += n - start;
    }
  }

  return {
    /** Feeds the next chunk of bytes. */
    feed(chunk: Uint8Array) {
      if (bomChecked) return scan(chunk);
      // Settle the leading BOM (EF BB BF), which may itself arrive split over chunks.
      let bytes = chunk;
      if (head !== null) {
        bytes = new Uint8Array(head.length + chunk.length);
        bytes.set(head);
        bytes.set(chunk, head.length);
        head = null;
      }
      const bom = [0xef, 0xbb, 0xbf];
      const k = Math.min(3, bytes.length);
      for (let j = 0; j < k; j++) {
        if (bytes[j] !== bom[j]) {
          bomChecked = true;
          return scan(bytes);
        }
      }
      if (bytes.length < 3) {
        head = bytes;
        return;
      }
      bomChecked = true;
      scan(bytes.subarray(3));
    },
    /** Ends the input. An event without its closing blank line is discarded, as the spec says. */
    end() {
      if (head !== null && !bomChecked) {
        bomChecked = true;
        const rest = head;
        head = null;
        scan(rest);
      }
      pieces = [];
      piecesLength = 0;
      dataParts = [];
      eventType = '';
    },
  };
}

type ByteSource = ReadableStream<Uint8Array> | Response;

/** @internal The aborted error every reader in the library throws. */
export function abortedError(signal: AbortSignal): PartialImagesError {
  return new PartialImagesError('aborted', 'The stream was aborted.', { cause: signal.reason });
}

const encoder = /* @__PURE__ */ new TextEncoder();

/** The minimal reader {@link scanReader} needs: a stream reader, or an iterator adapted to one. */
export interface ChunkReader {
  read(): Promise<{ done?: boolean | undefined; value?: unknown }>;
  cancel(reason?: unknown): Promise<unknown>;
}

/**
 * Reads SSE messages, with the scan flags, from a reader of byte (or text) chunks (internal;
 * {@link parseSSE} is the public face). `first` is a chunk already read from `reader`.
 * Cancels the reader when left early; does not release its lock.
 * @internal
 */
export async function* scanReader(
  reader: ChunkReader,
  signal?: AbortSignal,
  first?: unknown,
): AsyncGenerator<ScannedMessage, void, undefined> {
  if (signal?.aborted) throw abortedError(signal);
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const queue: ScannedMessage[] = [];
  const scanner = createSSEScanner((message) => queue.push(message));
  let finished = false;
  try {
    let pending: unknown = first;
    for (;;) {
      let value: unknown;
      if (pending !== undefined) {
        value = pending;
        pending = undefined;
      } else {
        const result = await reader.read();
        if (signal?.aborted) throw abortedError(signal);
        if (result.done) break;
        value = result.value;
      }
      scanner.feed(toBytes(value));
      for (let k = 0; k < queue.length; k++) yield queue[k] as ScannedMessage;
      queue.length = 0;
    }
    scanner.end();
    for (let k = 0; k < queue.length; k++) yield queue[k] as ScannedMessage;
    finished = true;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Leaving early (break, throw, abort) cancels the body so the connection is released.
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/** Bytes of a chunk: `Uint8Array`, any other buffer view, `ArrayBuffer`, or text. @internal */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`An SSE body chunk must be bytes or text, got ${describeType(value)}.`);
}

/** Is `value` a chunk of an SSE body (bytes or text) rather than a parsed event? @internal */
export function isByteChunk(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value)
  );
}

/** @internal Resolves the byte stream of a `Response` or stream, or throws a TypeError. */
export function toByteStream(body: unknown, name = 'body'): ReadableStream<Uint8Array> {
  if (isResponseLike(body)) {
    if (body.body === null) return new ReadableStream({ start: (c) => c.close() });
    return body.body;
  }
  if (isReadableStream(body)) return body as ReadableStream<Uint8Array>;
  throw new TypeError(
    `\`${name}\` must be a ReadableStream<Uint8Array> or a Response, got ${describeType(body)}.` +
      ' Did you mean to pass `response.body` or the `Response` itself?',
  );
}

/** @internal */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? `a ${name}` : 'an object';
  }
  return typeof value;
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
  body: ByteSource,
  options: ParseSSEOptions = {},
): AsyncIterable<SSEMessage> {
  const stream = toByteStream(body);
  const { signal } = options;
  return {
    async *[Symbol.asyncIterator]() {
      const reader = stream.getReader();
      try {
        for await (const message of scanReader(reader, signal)) {
          const out: SSEMessage = { data: message.data };
          if (message.event !== '') out.event = message.event;
          if (message.id !== '') out.id = message.id;
          yield out;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}
