/**
 * One stream's decoder: bytes (SSE or a JSON body) or parsed events in, normalised events out.
 * It runs the same in a Web Worker and in the page (`pipeline.ts` picks), so both give the same
 * state. What needs memory of the stream lives here, so that the reducer stays a pure function
 * of each event:
 *
 * - Replays are dropped by sequence number (a resume's overlap, a duplicated delivery), scoped to
 *   one response; an outlier (a corrupt `sequence_number: 1e9`) is one number among others, not a
 *   high-water mark that hides every later event.
 * - Images API events carry no id and no sequence number: an exact repeat (same kind, index and
 *   bytes) is dropped.
 * - The AI SDK's tool outputs never say which one is final: they are previews in order, and the
 *   last one becomes the final when the stream ends cleanly (or earlier, when an output without
 *   `preliminary` follows flagged ones).
 * - An Agents SDK run holds several model responses: their `response.completed` does not end the
 *   run; the run's end does.
 * - A line over the frame limit is refused while it streams, and fails the image it belonged to.
 * - A stream in which nothing was recognisable ends with `unrecognized-stream`.
 */

import { PartialImagesError } from './errors';
import type { EventOf, FinalImage, PartialImageEvent } from './events';
import { DEFAULT_MAX_FRAME_BYTES } from './frames';
import { parsePayload } from './json';
import { classifyEvent, readSequenceNumber } from './normalize';
import { createSSEScanner, type ScanItem } from './sse';
import { emptyPieces, pushPiece } from './text';
import { createUtf8Decoder, type Utf8Decoder } from './utf8';
import { asRecord, isPlainObject, toWireShape } from './wire';

/** Room on a `data:` line for the JSON around the base64 (ids, a revised prompt, …). */
const LINE_SLACK = 256 * 1024;
const MAX_DESCRIBED = 160;
const REPLAY = Symbol('replay');

/** Options of {@link createDecoder}. */
export interface DecoderOptions {
  /** The largest frame, in base64 characters; longer lines are refused while they stream. */
  maxFrameBytes?: number | undefined;
  /** Called with every raw event and what it normalised to (the store's `onEvent`). */
  onRaw?: ((raw: unknown, event: PartialImageEvent | null) => void) | undefined;
}

/** What the decoder hands back after each input. */
export type Emit = (event: PartialImageEvent) => void;

/** Sequence numbers seen, as sorted disjoint ranges: one range for a normal stream. */
class SeenNumbers {
  private ranges: [number, number][] = [];

  /** Records `n`; `false` when it was seen already. */
  add(n: number): boolean {
    const ranges = this.ranges;
    // Almost always: the next number of the last range.
    const last = ranges[ranges.length - 1];
    if (last && n === last[1] + 1) {
      last[1] = n;
      const next = ranges[ranges.length - 2];
      if (next && next[1] + 1 === last[0]) ranges.splice(ranges.length - 2, 2, [next[0], last[1]]);
      return true;
    }
    let i = 0;
    while (i < ranges.length && (ranges[i] as [number, number])[1] < n - 1) i++;
    const range = ranges[i];
    if (range && range[0] <= n && n <= range[1]) return false;
    if (range && n === range[1] + 1) {
      range[1] = n;
      const after = ranges[i + 1];
      if (after && after[0] === n + 1) ranges.splice(i, 2, [range[0], after[1]]);
      return true;
    }
    if (range && n === range[0] - 1) {
      range[0] = n;
      return true;
    }
    // A new range; an attacker's scattered numbers could make many, so keep it bounded.
    ranges.splice(i, 0, [n, n]);
    if (ranges.length > 256) ranges.splice(1, 1);
    return true;
  }

  /** The end of the run that starts the stream: where a resume continues. */
  get cursor(): number | null {
    return this.ranges[0]?.[1] ?? null;
  }

  reset() {
    this.ranges = [];
  }
}

/** A cheap identity for a base64 payload: its length and samples of its text. */
function fingerprint(b64: string): string {
  const n = b64.length;
  let sample = '';
  for (let k = 0; k < 8; k++)
    sample += b64.slice(Math.floor((n * k) / 8), Math.floor((n * k) / 8) + 8);
  return `${n}:${sample}:${b64.slice(-16)}`;
}

/** The fields of an oversized line's head that say which image it was. */
function describeOversized(head: string) {
  const read = (key: string) =>
    new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|-?\\d+)`).exec(head)?.[1];
  const str = (key: string) => {
    const v = read(key);
    return v?.startsWith('"') ? (JSON.parse(v) as string) : null;
  };
  const int = (key: string) => {
    const v = read(key);
    return v !== undefined && !v.startsWith('"') ? Number(v) : null;
  };
  return {
    type: str('type'),
    itemId: str('item_id') ?? str('itemId') ?? str('toolCallId') ?? str('id'),
    outputIndex: int('output_index'),
    sequenceNumber: int('sequence_number'),
  };
}

/** `read()`, or `fallback` when reading throws (a getter of a hostile object, a revoked proxy). */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function describeRaw(raw: unknown): string {
  let text: string;
  if (isPlainObject(raw)) {
    const keys = Object.keys(raw).slice(0, 6);
    const shown = keys.map((key) => {
      const value = raw[key];
      const v =
        typeof value === 'string'
          ? JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value)
          : typeof value === 'object' && value !== null
            ? Array.isArray(value)
              ? '[…]'
              : '{…}'
            : String(value);
      return `${JSON.stringify(key)}:${v}`;
    });
    text = `{${shown.join(',')}${Object.keys(raw).length > keys.length ? ',…' : ''}}`;
  } else if (typeof raw === 'string') {
    text = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  } else {
    text = Array.isArray(raw) ? 'an array' : String(raw);
  }
  return text.length > MAX_DESCRIBED ? `${text.slice(0, MAX_DESCRIBED)}…` : text;
}

interface ToolCall {
  /** An output carried `preliminary: true`. */
  flagged: boolean;
  /** A final frame was emitted (or the call failed). */
  closed: boolean;
}

/**
 * Creates the decoder of one stream (kept across the resumes of one `consume`).
 * @internal
 */
export function createDecoder(emit: Emit, options: DecoderOptions = {}) {
  const maxFrame = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const seen = new SeenNumbers();
  let responseId: string | null = null;
  let count = 0;
  let recognised = false;
  const firstShapes: string[] = [];
  /** Images API repeats: fingerprints of the itemless frames seen. */
  const itemless = new Set<string>();
  /** AI SDK tool calls that carried an image. */
  const toolCalls = new Map<string, ToolCall>();
  /** Agents SDK run: model responses do not end it. */
  let agentRun = false;
  /** Items whose final was already emitted: terminal events need not repeat their bytes. */
  const finals = new Set<string>();
  let malformed = 0;

  const scanner = createSSEScanner(onScan, { maxLineLength: maxFrame + LINE_SLACK });
  let json: ReturnType<typeof emptyPieces> | null = null;
  let jsonDecoder: Utf8Decoder | null = null;
  let ended = false;
  let sawDone = false;
  /** An Images API event was read (see `noteImagesApi`). */
  let imagesApi = false;

  function onScan(item: ScanItem) {
    if (sawDone) return; // OpenRouter's `[DONE]`: anything after it is ignored
    if (item.kind === 'oversized') return oversized(item.head, item.length);
    const { data } = item;
    if (data.length === 6 && data.parts.join('') === '[DONE]') {
      sawDone = true;
      return;
    }
    let value: unknown;
    try {
      value = parsePayload(data);
    } catch (error) {
      if (item.event === 'error') {
        // `event: error` with a plain-text payload: still the provider's error.
        const text = data.parts.join('');
        value = {
          type: 'error',
          error: { message: text.length > 300 ? `${text.slice(0, 300)}…` : text },
        };
      } else {
        malformed++;
        emit({
          type: 'stream.error',
          fatal: false,
          sequenceNumber: null,
          receivedAt: Date.now(),
          error: new PartialImagesError(
            'malformed-json',
            `An event's data is not valid JSON (${data.length} characters${
              item.event ? `, event "${item.event.slice(0, 64)}"` : ''
            }); it was skipped.`,
            { cause: error },
          ),
        });
        return;
      }
    }
    push(value);
  }

  function oversized(head: string, length: number) {
    const at = describeOversized(head);
    recognised ||= at.type !== null;
    const error = new PartialImagesError(
      'frame-too-large',
      `An event of ${length} characters${at.type ? ` (\`${at.type}\`)` : ''} is over the ` +
        `\`maxFrameBytes\` limit of ${maxFrame}; it was skipped while it streamed.`,
      { itemId: at.itemId, sequenceNumber: at.sequenceNumber },
    );
    if (at.sequenceNumber !== null) seen.add(at.sequenceNumber);
    const isImage =
      at.type !== null &&
      (at.type.includes('image') ||
        at.type === 'response.output_item.done' ||
        at.type === 'tool-output-available');
    if (
      at.type === 'response.completed' ||
      at.type === 'response.incomplete' ||
      at.type === 'response.failed'
    ) {
      // The end of the response, too large to read: it still ends the response (finals that
      // did not arrive before it fail with `missing-final-image`).
      emit({
        type: 'stream.error',
        fatal: false,
        sequenceNumber: null,
        receivedAt: Date.now(),
        error,
      });
      const base = {
        sequenceNumber: at.sequenceNumber,
        receivedAt: Date.now(),
        responseId,
        images: [],
      };
      if (at.type === 'response.completed') emit({ type: 'response.completed', ...base });
      else if (at.type === 'response.incomplete')
        emit({ type: 'response.incomplete', ...base, reason: null });
      else {
        emit({
          type: 'response.failed',
          ...base,
          error: new PartialImagesError('response-failed', 'The response failed.', {
            sequenceNumber: at.sequenceNumber,
          }),
        });
      }
      return;
    }
    if (isImage) {
      emit({
        type: 'image.failed',
        sequenceNumber: at.sequenceNumber,
        receivedAt: Date.now(),
        itemId: at.itemId,
        outputIndex: at.outputIndex,
        error,
      });
    } else {
      emit({
        type: 'stream.error',
        fatal: false,
        sequenceNumber: null,
        receivedAt: Date.now(),
        error,
      });
    }
  }

  /** Emits the settling of every AI SDK tool call still open: its last output is final. */
  function settleToolCalls() {
    for (const [id, call] of toolCalls) {
      if (call.closed) continue;
      call.closed = true;
      finals.add(id);
      emit({ type: 'image.settled', sequenceNumber: null, receivedAt: Date.now(), itemId: id });
    }
  }

  /** Terminal events carry every final again; drop the ones already delivered. */
  function withoutDelivered<T extends { images: readonly FinalImage[] }>(event: T): T {
    if (event.images.length === 0) return event;
    const images = event.images.filter(
      (image) => image.itemId === null || !finals.has(image.itemId),
    );
    return images.length === event.images.length ? event : { ...event, images };
  }

  /**
   * Is this an Images API stream? It has no terminal event but its `completed` ones (WIRE.md
   * § 1, § 4): a close once every image is final is a clean end. Any other stream (Responses,
   * the AI SDK, Gemini; the Images API events a proxy sends inside a Responses stream) has its
   * own end, and a bare close is a cut.
   */
  function noteImagesApi(event: PartialImageEvent, wire: unknown) {
    if (event.type !== 'image.partial' && event.type !== 'image.final') return;
    const type = safely(() => (isPlainObject(wire) ? wire.type : undefined), undefined);
    if (typeof type === 'string' && /^image_(?:generation|edit)\./.test(type)) imagesApi = true;
  }

  function push(raw: unknown) {
    count++;
    let classified: ReturnType<typeof classifyEvent>;
    let record: unknown = null;
    try {
      record = dropReplay(raw);
      if (record === REPLAY) return;
      classified = classifyEvent(record);
    } catch (error) {
      // classifyEvent does not throw; a getter on a hostile object can.
      classified = {
        known: false,
        event: {
          type: 'stream.error',
          fatal: false,
          sequenceNumber: null,
          receivedAt: Date.now(),
          error: new PartialImagesError('invalid-event', 'An event could not be read.', {
            cause: error,
          }),
        },
      };
    }
    if (classified.known) recognised = true;
    else if (firstShapes.length < 3)
      firstShapes.push(safely(() => describeRaw(raw), 'a value that cannot be read'));
    if (classified.event !== null) noteImagesApi(classified.event, record);
    let event = classified.event;
    if (event !== null) event = adjust(event, classified.preliminary);
    options.onRaw?.(raw, event);
    if (event !== null) emit(event);
  }

  /**
   * The event in its wire shape, or {@link REPLAY} when its sequence number was seen already in
   * this response (a resume's overlap, a duplicated delivery).
   */
  function dropReplay(raw: unknown): unknown {
    const wire = toWireShape(asRecord(raw) ?? raw);
    if (!isPlainObject(wire)) return wire;
    if (wire.type === 'raw_model_stream_event' || wire.type === 'agent_updated_stream_event') {
      agentRun = true;
    }
    const inner =
      wire.type === 'raw_model_stream_event'
        ? toWireShape(asRecord(asRecord(wire.data)?.event))
        : wire;
    if (!isPlainObject(inner)) return wire;
    if (inner.type === 'response.created' && isPlainObject(inner.response)) {
      const id = typeof inner.response.id === 'string' ? inner.response.id : null;
      if (id !== null && id !== responseId) {
        if (responseId !== null) seen.reset(); // a new response numbers from 0 again
        responseId = id;
      }
    }
    const seq = readSequenceNumber(inner);
    return seq !== null && !seen.add(seq) ? REPLAY : wire;
  }

  /** The stream-level rules on one normalised event (see the module comment). */
  function adjust(
    event: PartialImageEvent,
    preliminary: boolean | null | undefined,
  ): PartialImageEvent | null {
    switch (event.type) {
      case 'image.partial': {
        if (preliminary !== undefined && event.itemId !== null) {
          // An AI SDK tool output.
          let call = toolCalls.get(event.itemId);
          if (!call) {
            call = { flagged: false, closed: false };
            toolCalls.set(event.itemId, call);
          }
          if (call.closed) return null;
          if (preliminary === true) call.flagged = true;
          else if (call.flagged) {
            call.closed = true;
            finals.add(event.itemId);
            return {
              type: 'image.final',
              sequenceNumber: null,
              receivedAt: event.receivedAt,
              itemId: event.itemId,
              outputIndex: null,
              result: event.b64,
              revisedPrompt: null,
              format: event.format,
              size: event.size,
            };
          }
          return event;
        }
        if (event.itemId === null) {
          const key = `p${event.partialImageIndex}:${fingerprint(event.b64)}`;
          if (itemless.has(key)) return null;
          itemless.add(key);
        }
        return event;
      }
      case 'image.final':
        if (event.itemId === null) {
          const key = `f:${fingerprint(event.result)}`;
          if (itemless.has(key)) return null;
          itemless.add(key);
        } else {
          finals.add(event.itemId);
        }
        return event;
      case 'response.completed':
        if (agentRun) {
          // One model response of the run: its images may still recover a missed final.
          const rest = withoutDelivered(event);
          return rest.images.length > 0
            ? {
                type: 'response.images',
                sequenceNumber: event.sequenceNumber,
                receivedAt: event.receivedAt,
                images: rest.images,
              }
            : null;
        }
        settleToolCalls();
        return withoutDelivered(event);
      case 'response.incomplete':
      case 'response.failed':
        return withoutDelivered(event);
      case 'response.images':
        return event;
      default:
        return event;
    }
  }

  /** The events of the stream's end: what a clean end settles, or why nothing was shown. */
  function finish(reason: 'done' | 'eof'): void {
    if (ended) return;
    ended = true;
    if (count > 0 && !recognised) {
      const shapes = firstShapes.join('; ');
      emit({
        type: 'stream.error',
        fatal: true,
        sequenceNumber: null,
        receivedAt: Date.now(),
        error: new PartialImagesError(
          'unrecognized-stream',
          `None of the ${count} events of this stream is of a kind react-partial-images reads ` +
            `(Responses or Images API events, AI SDK UI message chunks, Agents SDK run events, ` +
            `Gemini chunks); the first looked like ${shapes}. See "Sources" in the README.`,
        ),
      });
      return;
    }
    if (reason === 'done') settleToolCalls();
    if (agentRun && reason === 'eof') {
      // The run is over: its end is the response's.
      emit({
        type: 'response.completed',
        sequenceNumber: null,
        receivedAt: Date.now(),
        responseId,
        images: [],
      });
    }
  }

  return {
    /** SSE bytes. */
    bytes(chunk: Uint8Array) {
      scanner.feed(chunk);
    },
    /** SSE text (a stream of strings). */
    text(chunk: string) {
      scanner.feedText(chunk);
    },
    /** Bytes of a whole JSON body, parsed when it ends. */
    jsonBytes(chunk: Uint8Array) {
      json ??= emptyPieces();
      jsonDecoder ??= createUtf8Decoder();
      const text = jsonDecoder.decode(chunk);
      pushPiece(json, text, text.length !== jsonDecoder.decodedBytes);
    },
    /** A parsed event (an SDK's stream). */
    value(raw: unknown) {
      push(raw);
    },
    /**
     * The source ended: `'eof'` when it closed; the decoder knows itself when it saw `[DONE]`.
     * Returns how it ended, for the store's `stream.end`.
     */
    end(): 'done' | 'eof' {
      scanner.end();
      if (json !== null) {
        const body = json;
        json = null;
        const tail = jsonDecoder?.end() ?? '';
        if (tail !== '') pushPiece(body, tail, true);
        try {
          push(parsePayload(body));
        } catch (error) {
          emit({
            type: 'stream.error',
            fatal: true,
            sequenceNumber: null,
            receivedAt: Date.now(),
            error: new PartialImagesError(
              'malformed-json',
              'The JSON response body is not valid JSON.',
              {
                cause: error,
              },
            ),
          });
          return 'done';
        }
        finish('done');
        return 'done';
      }
      const reason = sawDone || (imagesApi && responseId === null) ? 'done' : 'eof';
      finish(reason);
      return reason;
    },
    /** Ends a stream that will be resumed: nothing is settled yet. */
    pause() {
      scanner.end();
    },
    /** `data: [DONE]` was read: the stream ended on purpose. */
    get done() {
      return sawDone;
    },
    /** The highest sequence number of the stream's first unbroken run (for `resume`). */
    get cursor() {
      return seen.cursor;
    },
    /** Malformed payloads skipped so far. */
    get malformed() {
      return malformed;
    },
  };
}

/** A decoder. @internal */
export type Decoder = ReturnType<typeof createDecoder>;

export type { EventOf };
