/**
 * SSE framing of replayed events (PROTOCOL.md §1), and how its bytes cross a network: one chunk
 * per event, or TCP-sized pieces on a slow link, or cut off in the middle of an image.
 */

import type { WireEvent } from './build';
import { between, prng } from './random';

/** `openai`: `event:` + `data:` lines. `openrouter`: `data:` only, keep-alive comments, `[DONE]`. */
export type SSEStyle = 'openai' | 'openrouter';

/** Options of {@link toSSEText} and {@link sseSegments}. */
export interface SSETextOptions {
  /** @defaultValue 'openai' */
  style?: SSEStyle | undefined;
  /** Cut the last event in the middle of its base64 and end there (no `[DONE]`). */
  truncated?: boolean | undefined;
  /** Send times of the events (ms), to place OpenRouter's keep-alive comments in long gaps. */
  times?: readonly number[] | undefined;
  /** OpenRouter sends `: OPENROUTER PROCESSING` during gaps this long (ms). @defaultValue 2500 */
  keepAliveEvery?: number | undefined;
}

/** A piece of SSE text and the time (ms at speed 1) the server writes it. */
export interface Segment {
  at: number;
  text: string;
}

/** OpenRouter's keep-alive comment. */
export const KEEP_ALIVE = ': OPENROUTER PROCESSING\n\n';

/** One event, framed: `event: <type>\ndata: <json>\n\n`, or `data: <json>\n\n` for OpenRouter. */
export function frameEvent(event: WireEvent, style: SSEStyle = 'openai'): string {
  if (style === 'openrouter') {
    // OpenRouter writes `sequence_number` last.
    const { sequence_number, ...rest } = event;
    return `data: ${JSON.stringify({ ...rest, sequence_number })}\n\n`;
  }
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Cuts framed event text in the middle of its (last) base64 payload, as a dropped connection
 * does; text without one is cut in half.
 */
export function cutMidBase64(text: string): string {
  const keys = ['"partial_image_b64":"', '"result":"'];
  for (const key of keys) {
    const at = text.lastIndexOf(key);
    if (at === -1) continue;
    const start = at + key.length;
    const end = text.indexOf('"', start);
    if (end - start >= 2) return text.slice(0, start + Math.floor((end - start) / 2));
  }
  return text.slice(0, Math.floor(text.length / 2));
}

/** The SSE text of `events` as timed segments: comments, events, `[DONE]`. */
export function sseSegments(events: readonly WireEvent[], options: SSETextOptions = {}): Segment[] {
  const { style = 'openai', truncated = false, times, keepAliveEvery = 2500 } = options;
  const openrouter = style === 'openrouter';
  const segments: Segment[] = [];
  if (openrouter) segments.push({ at: 0, text: KEEP_ALIVE });
  let previous = 0;
  for (const [i, event] of events.entries()) {
    const at = times?.[i] ?? previous;
    if (openrouter && keepAliveEvery > 0) {
      for (let t = previous + keepAliveEvery; t < at; t += keepAliveEvery) {
        segments.push({ at: t, text: KEEP_ALIVE });
      }
    }
    const text = frameEvent(event, style);
    segments.push({ at, text: truncated && i === events.length - 1 ? cutMidBase64(text) : text });
    previous = at;
  }
  if (openrouter && !truncated) segments.push({ at: previous, text: 'data: [DONE]\n\n' });
  return segments;
}

/**
 * The SSE text of a response, exactly as the provider frames it.
 *
 * @example
 * ```ts
 * const text = toSSEText(replay.events, { style: 'openrouter' })
 * ```
 */
export function toSSEText(events: readonly WireEvent[], options: SSETextOptions = {}): string {
  return sseSegments(events, options)
    .map((s) => s.text)
    .join('');
}

/** A value to deliver at `at` ms (at speed 1) from the start. */
export interface Scheduled<T> {
  at: number;
  value: T;
}

/** Options of {@link scheduleChunks}. */
export interface NetworkOptions {
  /** `fast`: a chunk per event as it is written. `slow`: 1–16 KiB pieces at `bandwidth`. */
  network?: 'fast' | 'slow' | undefined;
  /** Seed of the piece sizes and delays. @defaultValue 1 */
  seed?: number | undefined;
  /** The slow link's throughput, bytes per second. @defaultValue 524288 (512 KiB/s, 4 Mbit/s) */
  bandwidth?: number | undefined;
  /** Smallest and largest piece, bytes. @defaultValue [1024, 16384] */
  pieceSize?: readonly [number, number] | undefined;
}

const encoder = new TextEncoder();

/**
 * When each byte chunk of the segments reaches the client. On a `slow` network the bytes that
 * are ready go out in pieces of seeded random size; each piece takes its size over `bandwidth`
 * plus a little jitter, so pieces span event boundaries and big frames arrive over many chunks.
 */
export function scheduleChunks(
  segments: readonly Segment[],
  options: NetworkOptions = {},
): Scheduled<Uint8Array>[] {
  const bytes = segments.map((s) => ({ at: s.at, bytes: encoder.encode(s.text) }));
  if ((options.network ?? 'fast') === 'fast') {
    return bytes.filter((s) => s.bytes.length > 0).map((s) => ({ at: s.at, value: s.bytes }));
  }
  const random = prng(options.seed ?? 1);
  const bandwidth = options.bandwidth ?? 512 * 1024;
  const [min, max] = options.pieceSize ?? [1024, 16384];
  const out: Scheduled<Uint8Array>[] = [];
  let clock = 0;
  let next = 0; // the next segment not yet in `ready`
  let ready: Uint8Array[] = [];
  let readyLength = 0;
  while (next < bytes.length || readyLength > 0) {
    if (readyLength === 0) clock = Math.max(clock, (bytes[next] as { at: number }).at);
    // Everything the server has written by now is ready to send.
    while (next < bytes.length && (bytes[next] as { at: number }).at <= clock) {
      const piece = (bytes[next++] as { bytes: Uint8Array }).bytes;
      ready.push(piece);
      readyLength += piece.length;
    }
    const size = Math.min(readyLength, Math.round(between(random, min, max + 1)));
    const chunk = take(ready, size);
    readyLength -= size;
    ready = chunk.rest;
    clock += (size / bandwidth) * 1000 + between(random, 0, 12);
    out.push({ at: Math.round(clock), value: chunk.bytes });
  }
  return out;
}

/** The first `size` bytes of `parts`, and the parts left. */
function take(parts: Uint8Array[], size: number): { bytes: Uint8Array; rest: Uint8Array[] } {
  const bytes = new Uint8Array(size);
  let filled = 0;
  let i = 0;
  for (; i < parts.length && filled < size; i++) {
    const part = parts[i] as Uint8Array;
    const n = Math.min(part.length, size - filled);
    bytes.set(part.subarray(0, n), filled);
    filled += n;
    if (n < part.length) return { bytes, rest: [part.subarray(n), ...parts.slice(i + 1)] };
  }
  return { bytes, rest: parts.slice(i) };
}
