/**
 * What the page and the parsing Worker say to each other. Events cross as structured clones,
 * except their `PartialImagesError`s, whose fields a clone would drop: those cross as plain data.
 * Byte chunks cross transferred (not copied) when the page owns them. @internal
 */

import {
  deserializeError,
  PartialImagesError,
  type SerializedError,
  serializeError,
} from './errors';
import type { PartialImageEvent } from './events';

/** Page → Worker. */
export type ToWorker =
  | { t: 'open'; id: number; maxFrameBytes: number | undefined; raw: boolean }
  | { t: 'bytes'; id: number; json: boolean; chunk: Uint8Array; blobs: boolean }
  | { t: 'value'; id: number; value: unknown; blobs: boolean }
  | { t: 'pause'; id: number }
  | { t: 'end'; id: number }
  | { t: 'close'; id: number };

/** Worker → page. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'events'; id: number; events: WireEvent[]; blobs: FrameBlob[] }
  | { t: 'entries'; id: number; entries: Entry[]; blobs: FrameBlob[] }
  | { t: 'paused'; id: number; cursor: number | null; done: boolean }
  | { t: 'ended'; id: number; reason: 'done' | 'eof'; cursor: number | null };

/**
 * A frame's bytes, decoded in the Worker, for the `n`-th event of the stream. They travel in the
 * same message as the event, so the page has them before it renders the frame.
 */
export type FrameBlob = [n: number, blob: Blob];

/** With `onEvent`: a raw event and what it normalised to, or an event of the stream itself. */
export type Entry =
  | { raw: true; value: unknown; event: WireEvent | null }
  | { raw: false; event: WireEvent };

/** An event whose errors are plain data. */
export type WireEvent = Record<string, unknown> & { type: string; error?: unknown };

export function encodeEvent(event: PartialImageEvent): WireEvent {
  const error = (event as { error?: unknown }).error;
  return error instanceof PartialImagesError
    ? { ...event, error: serializeError(error) }
    : (event as unknown as WireEvent);
}

export function decodeEvent(event: WireEvent): PartialImageEvent {
  const error = event.error;
  if (error && typeof error === 'object' && !(error instanceof PartialImagesError)) {
    return { ...event, error: deserializeError(error as SerializedError) } as PartialImageEvent;
  }
  return event as unknown as PartialImageEvent;
}
