/**
 * What the bench pages and their runner say to each other: each page sets `window.__bench` to
 * `{ prepare(config), run() }`; the runner calls `prepare` (setup, not measured), starts its
 * trace or heap probes, then calls `run` (measured).
 */

import type { Delivery } from '../shared/wire';

// ----------------------------------------------------------------------------- 1. throughput

/** Section 1 variants. */
export const THROUGHPUT_VARIANTS = [
  'library (default options)',
  'library worker: false',
  'eventsource-parser + JSON.parse',
] as const;
export type ThroughputVariant = (typeof THROUGHPUT_VARIANTS)[number];

export interface ThroughputConfig {
  readonly variant: ThroughputVariant;
  /** `/data/<name>.bin`: the frames' base64 (partials 0–2, final) as JSON. */
  readonly frames: string;
  /** Non-ASCII text in the stream (an em dash, curly quotes, an emoji), else ASCII only. */
  readonly nonAscii: boolean;
  /**
   * Runs in this page, each on a stream of its own (its own ids): the first is reported as cold,
   * the others as warm.
   */
  readonly runs: number;
  readonly expect: {
    readonly finalLength: number;
    readonly prompt: string;
    readonly events: number;
    readonly bytes: number;
  };
}

export interface ThroughputResult {
  /** ms from the first chunk to the state holding the final image, per run (first = cold). */
  readonly ms: readonly number[];
}

// ----------------------------------------------------------------------------- 2. per frame

/** Section 2 variants. */
export const FRAME_VARIANTS = [
  'library data-url',
  'library object-url',
  'reference A (worker, data URL)',
  'reference B (worker, Blob URL)',
] as const;
export type FrameVariant = (typeof FRAME_VARIANTS)[number];

export interface FrameConfig {
  readonly variant: FrameVariant;
  readonly data: string;
  readonly deliveries: readonly Delivery[];
  /** Index in `deliveries` of the last piece of each frame event (3 partials, then the final). */
  readonly frameEnds: readonly number[];
  readonly settleMs: number;
}

export interface FrameResult {
  /** Frames brought on screen (decoded and swapped in), by frame index (3 = the final). */
  readonly shown: readonly number[];
  /** ms from `bench:t0` to `bench:end` (the final on screen plus the settle time). */
  readonly durationMs: number;
  /** ms from the final event's last byte to the final frame on screen. */
  readonly finalLatencyMs: number;
  /** ms from the stream's start to the final frame on screen. */
  readonly toFinalMs: number;
  readonly longTasks: readonly number[];
  /** What is on screen at the end. */
  readonly check: { readonly width: number; readonly scheme: string; readonly front: string };
}

// ----------------------------------------------------------------------------- 3. many

/** Section 3 variants. */
export const MANY_VARIANTS = [
  'library data-url',
  'library object-url',
  'hand-rolled (eventsource-parser + useState)',
] as const;
export type ManyVariant = (typeof MANY_VARIANTS)[number];

export interface ManyConfig {
  readonly variant: ManyVariant;
  readonly data: string;
  /** `/data/<data>-<k>.bin` is stream k's bytes (each with its own ids). */
  readonly streams: number;
  /** One schedule per stream. */
  readonly deliveries: readonly (readonly Delivery[])[];
  readonly timeoutMs: number;
}

export interface ManyResult {
  readonly streams: number;
  /** Streams whose final frame reached the screen. */
  readonly completed: number;
  /** Streams whose state says `completed` (library only; `-1` for the hand-rolled page). */
  readonly stateCompleted: number;
  readonly framesShown: number;
  readonly durationMs: number;
  /** requestAnimationFrame callbacks over the run. */
  readonly animationFrames: number;
  /** Long tasks (PerformanceObserver): start (ms from t0) and duration. */
  readonly longTasks: readonly { readonly start: number; readonly duration: number }[];
}

// ----------------------------------------------------------------------------- 4. memory

/**
 * Section 4 variants: the page without a chat; the chat with keepHistory off and on (non-ASCII
 * text in the streams, as real ones have); and off again with ASCII-only streams.
 */
export const MEMORY_VARIANTS = [
  'no chat',
  'keepHistory: false',
  'keepHistory: true',
  'keepHistory: false, ASCII text',
] as const;
export type MemoryVariant = (typeof MEMORY_VARIANTS)[number];

export interface MemoryConfig {
  readonly variant: MemoryVariant;
  /** `/data/<name>.bin`: the frames' base64 (partials 0–2, final) as JSON. */
  readonly frames: string;
  /** ASCII-only text in the streams (else an em dash, curly quotes and an emoji). */
  readonly ascii: boolean;
  /** `WIDTHxHEIGHT` of the frames. */
  readonly size: string;
  readonly responses: number;
  readonly finalLength: number;
}

export interface MemoryResult {
  readonly responses: number;
  /** Responses whose state completed with the final image at full length. */
  readonly completed: number;
  /** Responses whose final frame was on screen (decoded) before the next one started. */
  readonly onScreen: number;
  /** Final frames brought on screen by a swap (`onFrameShown`; not those an image mounted with). */
  readonly finalsShown: number;
  /** Frames in the stores' items, summed (keepHistory keeps the previews too). */
  readonly framesKept: number;
  readonly durationMs: number;
}

// -----------------------------------------------------------------------------

/** `window.__bench`. */
export interface BenchPage<Config, Result> {
  prepare(config: Config): Promise<void>;
  run(): Promise<Result>;
}

declare global {
  interface Window {
    // biome-ignore lint/suspicious/noExplicitAny: each page sets its own config and result
    __bench?: BenchPage<any, any>;
    gc?: () => void;
  }
}
