/**
 * Frames as bytes: for object URLs, downloads and uploads.
 *
 * When the stream was parsed in a Worker, the Worker has already decoded each frame's base64
 * (off the main thread) into a `Blob`, which reaches the page without a copy. Those Blobs wait
 * here, one per frame, until an object-URL `<ProgressiveImage>` takes one; a frame that is
 * replaced before anyone takes it drops its Blob, and at most {@link MAX_WAITING} wait at once,
 * so memory follows what is on screen. Without one, the base64 is decoded where it is asked for.
 */

import type { PartialImageFrame } from './state';

type FromBase64 = (b64: string) => Uint8Array;

/** Decodes base64 to bytes (`Uint8Array.fromBase64` where available). Throws on bad input. @internal */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
  if (native) return native(b64) as Uint8Array<ArrayBuffer>;
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const MAX_WAITING = 16;
// Weak: a Blob waiting here never keeps its frame (and the frame's base64) alive.
const waiting = new WeakMap<PartialImageFrame, Blob>();
const order: WeakRef<PartialImageFrame>[] = [];

/** Leaves a Blob of `frame`'s bytes (made by the Worker) for whoever shows it. @internal */
export function offerFrameBlob(frame: PartialImageFrame, blob: Blob): void {
  waiting.set(frame, blob);
  order.push(new WeakRef(frame));
  while (order.length > MAX_WAITING) {
    const oldest = order.shift()?.deref();
    if (oldest) waiting.delete(oldest);
  }
}

/** Drops the Blob waiting for `frame`, if any (the frame was replaced). @internal */
export function dropFrameBlob(frame: PartialImageFrame): void {
  waiting.delete(frame);
}

/** How many object-URL consumers are mounted: the Worker makes Blobs only while some are. */
let demand = 0;

/** Counts an object-URL consumer in (`+1`) or out (`-1`). @internal */
export function frameBlobDemand(change: 1 | -1): void {
  demand = Math.max(0, demand + change);
}

/** Does anyone want the Worker's Blobs? @internal */
export function wantsFrameBlobs(): boolean {
  return demand > 0;
}

function typed(blob: Blob, type: string): Blob {
  // Re-wrapping a Blob shares its data; it only relabels it.
  return blob.type === type ? blob : new Blob([blob], { type });
}

/**
 * Takes the Blob waiting for `frame` (the caller now owns it), or decodes one. @internal
 */
export function takeFrameBlob(frame: PartialImageFrame): Blob | null {
  const blob = waiting.get(frame);
  if (blob) {
    waiting.delete(frame);
    return typed(blob, frame.mimeType);
  }
  return frameToBlob(frame);
}

/**
 * A frame's image as a `Blob` of its MIME type, or `null` for frames that are a URL, or whose
 * base64 does not decode. Uses the Worker's decoded bytes when they are still there.
 *
 * @example
 * ```ts
 * const blob = frameToBlob(item.final)
 * if (blob) window.open(URL.createObjectURL(blob)) // open full size
 * ```
 */
export function frameToBlob(frame: PartialImageFrame): Blob | null {
  const ready = waiting.get(frame);
  if (ready) return typed(ready, frame.mimeType);
  if (frame.b64 === null) return null;
  try {
    return new Blob([base64ToBytes(frame.b64)], { type: frame.mimeType });
  } catch {
    return null;
  }
}
