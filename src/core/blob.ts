/** Frames as bytes: for downloads, object URLs and uploads. Browser and Node alike. */

import type { PartialImageFrame } from './state';

type FromBase64 = (b64: string) => Uint8Array;

/** Decodes base64 to bytes (`Uint8Array.fromBase64` where available). Throws on bad input. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: FromBase64 }).fromBase64;
  if (native) return native(b64) as Uint8Array<ArrayBuffer>;
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A frame's image as a `Blob` of its MIME type, or `null` for frames that are a URL, or whose
 * base64 does not decode.
 *
 * @example
 * ```ts
 * const blob = frameToBlob(item.final)
 * if (blob) window.open(URL.createObjectURL(blob)) // open full size
 * ```
 */
export function frameToBlob(frame: PartialImageFrame): Blob | null {
  if (frame.b64 === null) return null;
  try {
    return new Blob([base64ToBytes(frame.b64)], { type: frame.mimeType });
  } catch {
    return null;
  }
}
