/**
 * What the relay reads, one event at a time: the core's one reader (`core/source.ts`) opens the
 * source and reads it with abort and cancel handled there; this file only turns its chunks into
 * events the relay can filter and write back, keeping each raw SSE payload as the text pieces it
 * came in, so that it is written back unchanged and unjoined.
 */

import { parsePayload } from '../core/json';
import { isByteChunk, notA, openSource, type StreamSource, toBytes } from '../core/source';
import { createSSEScanner, type ScanItem } from '../core/sse';
import { emptyPieces, type Pieces, pushPiece } from '../core/text';
import { createUtf8Decoder } from '../core/utf8';
import { toWireShape } from '../core/wire';

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
  /** The payload as it arrived (raw SSE sources), written back unchanged when possible. */
  text: Pieces | null;
  /** The upstream `event:` name (raw SSE sources). */
  event: string;
  /** The upstream last event ID (raw SSE sources). */
  id: string;
}

/** Read `data: [DONE]`: the relay writes it and ends. @internal */
export const DONE = Symbol('[DONE]');
/** The value of a data payload that is not JSON. @internal */
export const NOT_JSON = Symbol('not JSON');
/** A line longer than this (64 MiB) is dropped rather than held. */
const MAX_LINE = 64 * 1024 * 1024;

function objectUnit(value: unknown): Unit {
  return { value: toWireShape(value), text: null, event: '', id: '' };
}

function messageUnit(item: Extract<ScanItem, { kind: 'message' }>): Unit | typeof DONE {
  const { data } = item;
  if (data.length === 6 && data.parts.join('') === '[DONE]') return DONE;
  let value: unknown;
  try {
    value = parsePayload(data);
  } catch {
    value = NOT_JSON;
  }
  return { value, text: data, event: item.event, id: item.id };
}

/**
 * Reads any source into units. Throws what the upstream throws, the core's `HttpStatusError` for
 * a non-2xx `Response`, `PartialImagesError` `aborted` once `signal` fired, and a `TypeError` when
 * the function form resolved to something unreadable. `onDropped` hears of a line over 64 MiB.
 * @internal
 */
export async function* readUnits(
  input: RelaySource,
  signal: AbortSignal,
  onDropped: (length: number) => void,
): AsyncGenerator<Unit | typeof DONE, void, undefined> {
  let opened: Awaited<ReturnType<typeof openSource>>;
  try {
    opened = await openSource(input, signal, { objects: true });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'invalid-source') {
      throw new TypeError((error as Error).message);
    }
    throw error;
  }
  if (opened.kind === 'object') {
    yield objectUnit(opened.value);
    return;
  }
  const { reader } = opened;
  let finished = false;
  try {
    if (opened.kind === 'events') {
      for (;;) {
        const step = await reader.read();
        if (step.done) break;
        yield objectUnit(step.value);
      }
    } else if (opened.kind === 'json') {
      // Some providers answer a streaming request with a whole JSON body: one event.
      const body = emptyPieces();
      const decoder = createUtf8Decoder();
      for (;;) {
        const step = await reader.read();
        if (step.done) break;
        if (!isByteChunk(step.value)) throw notA('bytes', step.value);
        pushPiece(body, decoder.decode(toBytes(step.value)), true);
      }
      pushPiece(body, decoder.end(), true);
      yield { value: parsePayload(body), text: null, event: '', id: '' };
    } else {
      const queue: ScanItem[] = [];
      const scanner = createSSEScanner((item) => queue.push(item), { maxLineLength: MAX_LINE });
      const take = function* () {
        for (const item of queue.splice(0)) {
          if (item.kind === 'oversized') {
            onDropped(item.length);
            continue;
          }
          yield messageUnit(item);
        }
      };
      for (;;) {
        const step = await reader.read();
        if (step.done) break;
        const value = step.value;
        // As the core reads it: a chunk that is neither text nor bytes ends the stream.
        if (typeof value === 'string') scanner.feedText(value);
        else if (isByteChunk(value)) scanner.feed(toBytes(value));
        else throw notA(opened.kind === 'text' ? 'text' : 'bytes', value);
        for (const unit of take()) {
          yield unit;
          if (unit === DONE) {
            finished = true;
            reader.cancel(); // anything after [DONE] is ignored
            return;
          }
        }
      }
      scanner.end();
      yield* take();
    }
    finished = true;
  } finally {
    if (!finished) reader.cancel();
  }
}
