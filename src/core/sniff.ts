/**
 * What an image's own bytes say: its format from the base64 signature, its size from the header,
 * decoding only the few bytes needed. Runs where the parsing runs (the Worker, or the lazy
 * in-page decoder), and where an image arrives already parsed (`useUIMessageImages`): never in
 * the reducer.
 */

import { classifyImagePayload, type ImageFormat, type ImageSize } from './mime';

/**
 * Recognises an image format from the first characters of its base64, per the WHATWG MIME
 * sniffing signatures: PNG `iVBORw0KGg`, JPEG `/9j/`, GIF `R0lGOD`, WebP `UklGR`…`RUJQ`,
 * AVIF `ftypavif`, BMP `Qk`, SVG `<svg` / `<?xml`. Returns `null` when none matches.
 */
export function sniffImageFormat(b64: string): ImageFormat | null {
  if (b64.startsWith('iVBORw0KGg')) return 'png';
  if (b64.startsWith('/9j/')) return 'jpeg';
  if (b64.startsWith('R0lGOD')) return 'gif';
  if (b64.startsWith('UklGR') && b64.slice(12, 16) === 'RUJQ') return 'webp';
  const brand = b64.slice(8, 16);
  if (brand === 'eXBhdmlm' || brand === 'eXBhdmlz') return 'avif';
  if (b64.startsWith('PHN2Z') || b64.startsWith('PD94bWwg')) return 'svg';
  if (b64.startsWith('Qk')) return 'bmp';
  return null;
}

/**
 * Parses a size such as `"1536x1024"`. `"auto"`, `null` and anything malformed give `null`
 * (unknown). Objects with numeric `width` and `height` pass through.
 */
export function parseImageSize(value: unknown): ImageSize | null {
  if (typeof value === 'object' && value !== null) {
    const { width, height } = value as { width?: unknown; height?: unknown };
    return isDimension(width) && isDimension(height) ? { width, height } : null;
  }
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d{1,5})\s*[x×]\s*(\d{1,5})\s*$/i.exec(value);
  if (!match) return null;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return isDimension(width) && isDimension(height) ? { width, height } : null;
}

function isDimension(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 65535;
}

// Not blob.ts's base64ToBytes: sharing it with this (lazily loaded) module moves it into a chunk
// that the page's main thread loads too, over the size budget; a header is a few dozen bytes.
function decodePrefix(b64: string, chars: number): Uint8Array | null {
  const head = b64.slice(0, chars - (chars % 4));
  try {
    const binary = atob(head);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/**
 * Reads pixel dimensions from an image's header (PNG, GIF, WebP, JPEG), decoding only the few
 * bytes it needs. Returns `null` when the header does not say.
 */
export function sniffImageSize(b64: string, format: ImageFormat | null): ImageSize | null {
  if (format === 'png') {
    const b = decodePrefix(b64, 32);
    if (!b || b.length < 24) return null;
    const view = new DataView(b.buffer);
    return parseImageSize({ width: view.getUint32(16), height: view.getUint32(20) });
  }
  if (format === 'gif') {
    const b = decodePrefix(b64, 16);
    if (!b || b.length < 10) return null;
    const view = new DataView(b.buffer);
    return parseImageSize({ width: view.getUint16(6, true), height: view.getUint16(8, true) });
  }
  if (format === 'webp') return webpSize(decodePrefix(b64, 40));
  if (format === 'jpeg') return jpegSize(b64);
  return null;
}

function webpSize(b: Uint8Array | null): ImageSize | null {
  if (!b || b.length < 30) return null;
  const view = new DataView(b.buffer);
  const chunk = String.fromCharCode(b[12] ?? 0, b[13] ?? 0, b[14] ?? 0, b[15] ?? 0);
  if (chunk === 'VP8X') {
    const width = 1 + (view.getUint16(24, true) | ((b[26] ?? 0) << 16));
    const height = 1 + (view.getUint16(27, true) | ((b[29] ?? 0) << 16));
    return parseImageSize({ width, height });
  }
  if (chunk === 'VP8L') {
    const bits = view.getUint32(21, true);
    return parseImageSize({ width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) });
  }
  if (chunk === 'VP8 ') {
    return parseImageSize({
      width: view.getUint16(26, true) & 0x3fff,
      height: view.getUint16(28, true) & 0x3fff,
    });
  }
  return null;
}

/** `length` bytes of the image at byte `offset`, decoding only the base64 around them. */
function bytesAt(b64: string, offset: number, length: number): Uint8Array | null {
  const skip = offset % 3;
  const start = ((offset - skip) / 3) * 4;
  const chars = Math.ceil((skip + length) / 3) * 4;
  if (start + chars > b64.length) return null;
  const bytes = decodePrefix(b64.slice(start, start + chars), chars);
  return bytes && bytes.length >= skip + length ? bytes.subarray(skip, skip + length) : null;
}

/** Walks JPEG segments (jumping over large ones, such as C2PA metadata) to the frame header. */
function jpegSize(b64: string): ImageSize | null {
  let offset = 2;
  for (let segments = 0; segments < 64; segments++) {
    const head = bytesAt(b64, offset, 9);
    if (!head) return null;
    if (head[0] !== 0xff) return null;
    const marker = head[1] as number;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = ((head[5] as number) << 8) | (head[6] as number);
      const width = ((head[7] as number) << 8) | (head[8] as number);
      return parseImageSize({ width, height });
    }
    offset += 2 + (((head[2] as number) << 8) | (head[3] as number));
  }
  return null;
}

/**
 * What a payload's own bytes say: the format from its signature, the size from its header;
 * `undefined` for a URL. Run where the parsing runs (the Worker, or wherever an image arrives
 * already parsed), so that the reducer never scans base64. @internal
 */
export function detectImage(
  payload: string,
): { format: ImageFormat | null; size: ImageSize | null } | undefined {
  const kind = classifyImagePayload(payload);
  if (kind.kind !== 'base64' && kind.kind !== 'data-url') return undefined;
  const format = sniffImageFormat(kind.b64);
  return { format, size: format === null ? null : sniffImageSize(kind.b64, format) };
}
