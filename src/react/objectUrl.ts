/**
 * Object URLs for frames. A data URL is decoded on the main thread every time an `<img>` loads
 * it; a Blob's object URL lets the browser decode it off the main thread.
 */

import { frameToBlob } from '../core/blob';
import type { PartialImageFrame } from '../core/state';

/**
 * An object URL for a frame, or its own `src` when it has no base64 (an https URL), does not
 * decode, or the environment has no `URL.createObjectURL` (server rendering). The caller revokes.
 * @internal
 */
export function frameObjectUrl(frame: PartialImageFrame): { src: string; revoke: () => void } {
  if (typeof URL === 'undefined' || typeof URL.createObjectURL !== 'function') {
    return { src: frame.src, revoke: () => {} };
  }
  const blob = frameToBlob(frame);
  if (!blob) return { src: frame.src, revoke: () => {} };
  const src = URL.createObjectURL(blob);
  return { src, revoke: () => URL.revokeObjectURL(src) };
}
