/**
 * How the bytes of a replayed response cross a network: one chunk per event as it is written, or
 * TCP-sized pieces on a slow link. (The SSE framing itself is `test/fixtures/streams.ts`.)
 */

import { between, prng } from '../../test/fixtures/random';
import type { Segment } from '../../test/fixtures/streams';

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
