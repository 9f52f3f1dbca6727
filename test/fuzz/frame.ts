/**
 * Units to wire text and bytes, and to the sources a user hands `consume()`: a fetch `Response`,
 * a byte stream, a stream of strings, an async iterable or an array of parsed events. Every
 * source is in memory and ends by itself, so a `consume()` that does not settle has hung.
 */

import type { PartialImagesSource } from '../../src/core';
import type { Unit } from './corpus';

const encoder = new TextEncoder();

/** SSE text of `units`, and the byte offset at which each unit ends. */
export interface Framed {
  text: string;
  bytes: Uint8Array;
  /**
   * `ends[i]`: the byte offset at which unit `i` is whole: just after its closing blank line, or
   * with CRLF just after that line's CR (a lone CR ends a line: the LF after it adds nothing).
   */
  ends: number[];
}

/** One unit as SSE text (`value` units as a `data:` line of their JSON). */
export function unitText(unit: Unit, eol: string): string {
  if (unit.kind === 'comment') return `:${unit.text}${eol}${eol}`;
  if (unit.kind === 'raw') return unit.text;
  const data = unit.kind === 'value' ? (JSON.stringify(unit.value) ?? 'null') : unit.data;
  const event = unit.kind === 'message' && unit.event !== '' ? `event: ${unit.event}${eol}` : '';
  const lines = data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}${eol}`)
    .join('');
  return `${event}${lines}${eol}`;
}

/** Frames `units` with `eol` line endings, optionally after a BOM. */
export function frameUnits(units: readonly Unit[], eol: string, bom = false): Framed {
  const texts = units.map((unit) => unitText(unit, eol));
  const text = (bom ? '\uFEFF' : '') + texts.join('');
  const ends: number[] = [];
  let at = bom ? 3 : 0;
  for (const piece of texts) {
    at += Buffer.byteLength(piece, 'utf8');
    ends.push(piece.endsWith('\r\n') ? at - 1 : at);
  }
  return { text, bytes: encoder.encode(text), ends };
}

/** How many units end at or before byte `offset`: the units a cut there leaves whole. */
export function unitsBefore(ends: readonly number[], offset: number): number {
  let n = 0;
  while (n < ends.length && (ends[n] as number) <= offset) n++;
  return n;
}

/** The parsed event of a unit, as an SDK yields it; `undefined` when it is not JSON. */
export function parsedOf(unit: Unit): unknown {
  if (unit.kind === 'value') return unit.value;
  if (unit.kind === 'comment' || unit.kind === 'raw' || unit.data === '[DONE]') return undefined;
  try {
    return JSON.parse(unit.data) as unknown;
  } catch {
    return undefined;
  }
}

/** How a stream reaches `consume()`. */
export type Delivery =
  | 'response'
  | 'byte-stream'
  | 'text-stream'
  | 'async-iterable'
  | 'array'
  | 'async-bytes';

/** The deliveries that carry bytes (and so every SSE-level damage). */
export const BYTE_DELIVERIES: readonly Delivery[] = [
  'response',
  'byte-stream',
  'text-stream',
  'async-bytes',
];

/** Cuts `bytes` at the given sorted, distinct offsets (each chunk its own buffer). */
export function cutBytes(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    if (offset <= start || offset >= bytes.length) continue;
    out.push(bytes.slice(start, offset));
    start = offset;
  }
  if (start < bytes.length || out.length === 0) out.push(bytes.slice(start));
  return out;
}

function readable<T>(chunks: readonly T[], onPull?: (index: number) => void): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({
    pull(controller) {
      onPull?.(i);
      const chunk = chunks[i++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}

/**
 * An async iterable of `values`, as an SDK's stream hands out parsed events. Hand-written, not an
 * async generator: a generator's `yield` awaits its value, so a revoked proxy would throw inside
 * the generator (the source failing) rather than reach the library as a value.
 */
function iterate<T>(values: readonly T[], onPull?: (index: number) => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: async (): Promise<IteratorResult<T>> => {
          if (i >= values.length) return { done: true, value: undefined };
          onPull?.(i);
          return { done: false, value: values[i++] as T };
        },
        return: async (): Promise<IteratorResult<T>> => {
          i = values.length;
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Options of {@link byteSource}. */
export interface ByteSourceOptions {
  /** Called before chunk `index` is handed out (an abort at a chosen point). */
  onPull?: ((index: number) => void) | undefined;
}

/**
 * A source of the byte `chunks`, delivered as `delivery`. A text stream gets each chunk decoded
 * on its own boundaries (a streaming decoder, so split characters come out whole).
 */
export function byteSource(
  chunks: readonly Uint8Array[],
  delivery: Delivery,
  options: ByteSourceOptions = {},
): PartialImagesSource {
  const { onPull } = options;
  switch (delivery) {
    case 'response':
      return new Response(readable(chunks, onPull), {
        headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      });
    case 'text-stream': {
      const decoder = new TextDecoder();
      const texts = chunks.map((chunk) => decoder.decode(chunk, { stream: true }));
      const tail = decoder.decode();
      if (tail !== '') texts.push(tail);
      return readable(
        texts.filter((text) => text !== ''),
        onPull,
      );
    }
    case 'async-bytes':
      return iterate(chunks, onPull);
    default:
      return readable(chunks, onPull);
  }
}

/** A source of parsed events: an async iterable (an SDK's stream) or an array. */
export function valueSource(
  values: readonly unknown[],
  delivery: 'async-iterable' | 'array',
  options: ByteSourceOptions = {},
): PartialImagesSource {
  if (delivery === 'array' && options.onPull === undefined) return values as unknown[];
  return iterate(values, options.onPull);
}
