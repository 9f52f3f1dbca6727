/** What the bench page and its runner say to each other (`window.__bench`). */

import type { EventKind } from './stream';

/** The three pages under test, on the same stream. */
export const VARIANTS = ['hand-rolled', 'library data-url', 'library object-url'] as const;
export type Variant = (typeof VARIANTS)[number];

/** A time span of the stream that belongs to one event, in ms from the stream's start. */
export interface EventWindow {
  readonly start: number;
  readonly end: number;
  readonly kind: EventKind;
}

/** Per event kind: how many events, and what happened while they were the latest. */
export interface KindStats {
  readonly events: number;
  readonly commits: number;
  /** React's `actualDuration`, summed over those commits. */
  readonly renderMs: number;
  /** Long tasks that started in those windows: their summed duration. */
  readonly longTaskMs: number;
}

/** What one measured stream reports. */
export interface RunResult {
  readonly variant: Variant;
  readonly scale: number;
  /** Long tasks (over 50 ms) from the stream's start to the end of the settle time. */
  readonly longTasks: readonly { readonly start: number; readonly duration: number }[];
  readonly longTaskMs: number;
  /** The sum of each long task's excess over 50 ms (as Total Blocking Time counts it). */
  readonly blockingMs: number;
  readonly byKind: Readonly<Record<EventKind, KindStats>>;
  /** Renders of the images that were already complete, during the stream (ideal: 0). */
  readonly otherItemRenders: number;
  /** Renders of the streaming image's item. */
  readonly streamingItemRenders: number;
  /** For each frame of the streaming image: ms from its last byte to it being on screen. */
  readonly frameLatencyMs: readonly (number | null)[];
  /** ms from the stream's start to the final frame on screen (painted). */
  readonly toFinalMs: number;
  /** Event windows, for attributing main-thread time from the trace. */
  readonly windows: readonly EventWindow[];
  /** `performance.now()` at the `bench:t0` mark, and the measured span. */
  readonly t0: number;
  readonly durationMs: number;
  /** Object URLs made and revoked during the stream (object-url mode), and left alive. */
  readonly objectUrls: {
    readonly created: number;
    readonly revoked: number;
    /** After the stream: the URL of the frame on screen. */
    readonly liveAtEnd: number;
    /** After unmounting the page. */
    readonly liveAfterUnmount: number;
  };
  /** What the page checked on screen after the stream. */
  readonly check: {
    readonly items: number;
    readonly allShown: boolean;
    readonly finalIndex: string | null;
    readonly finalWidth: number;
    readonly srcScheme: string;
    /** The images already on the page that show a blob: URL. */
    readonly olderBlobUrls: number;
    readonly shownFrames: readonly number[];
  };
}

/** `window.__bench`, set by the page once its frames are loaded. */
export interface BenchApi {
  /** Builds the stream, mounts the variant and shows the N-1 complete images, then goes idle. */
  prepare(variant: Variant, scale: number): Promise<{ setupMs: number }>;
  /** Streams, measures, checks the screen. */
  run(): Promise<RunResult>;
}

declare global {
  interface Window {
    __bench?: BenchApi;
  }
}
