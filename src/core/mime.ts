/**
 * Image formats, MIME types and safe `src` values: what the main thread needs to make a frame.
 * Reading an image's own bytes (signatures, headers) is in `./sniff`, where the parsing runs.
 *
 * Order of trust for a frame's MIME type (WIRE.md § 5): its own `data:` URL's label, the event's
 * `output_format` / `media_type`, the tool configuration echoed in `response.created`, the
 * `outputFormat` option, the base64 signature, then PNG. A `data:` URL is only ever built with an image type, and SVG only when the
 * caller opts in.
 */

/** Image formats the library can label. `svg` is only used with `allowSvg`. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'avif' | 'bmp' | 'svg';

/** Pixel dimensions, e.g. from `"size": "1536x1024"`. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** The MIME type of each {@link ImageFormat}. */
export const IMAGE_MIME_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};

const ALIASES: Readonly<Record<string, ImageFormat>> = {
  png: 'png',
  'image/png': 'png',
  jpeg: 'jpeg',
  jpg: 'jpeg',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  webp: 'webp',
  'image/webp': 'webp',
  gif: 'gif',
  'image/gif': 'gif',
  avif: 'avif',
  'image/avif': 'avif',
  bmp: 'bmp',
  'image/bmp': 'bmp',
  svg: 'svg',
  'svg+xml': 'svg',
  'image/svg+xml': 'svg',
};

/**
 * Reads a format from an `output_format` (`"webp"`) or a MIME type (`"image/webp"`), ignoring
 * case and parameters. Returns `null` for anything that is not a known image format.
 */
export function toImageFormat(value: unknown): ImageFormat | null {
  if (typeof value !== 'string') return null;
  const semicolon = value.indexOf(';');
  const key = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return ALIASES[key] ?? null;
}

/** The decoded size in bytes of a base64 string (no decoding is done). */
export function base64ByteLength(b64: string): number {
  let padding = 0;
  if (b64.endsWith('==')) padding = 2;
  else if (b64.endsWith('=')) padding = 1;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - padding);
}

/** What an image `result` string turned out to be. */
export type ImagePayload =
  | { kind: 'base64'; b64: string }
  | { kind: 'data-url'; b64: string; format: ImageFormat | null; mimeType: string }
  | { kind: 'https'; url: string }
  | { kind: 'unsafe'; reason: string };

const DATA_URL = /^data:([^,;]*)((?:;[^,;]*)*),/i;

/**
 * Classifies an image `result`: raw base64 (the usual case), a `data:` URL, an `https:` URL, or
 * something unsafe to put in `src` (`javascript:`, `http:`, a non-base64 data URL, …).
 */
export function classifyImagePayload(value: string): ImagePayload {
  // A base64 payload never contains ':' so a cheap look at the first characters is enough.
  const head = value.slice(0, 16).toLowerCase();
  if (!head.includes(':')) return { kind: 'base64', b64: value };
  if (head.startsWith('data:')) {
    const match = DATA_URL.exec(value.slice(0, 256));
    if (!match) return { kind: 'unsafe', reason: 'a malformed data: URL' };
    const params = (match[2] ?? '').toLowerCase();
    if (!params.split(';').includes('base64')) {
      return { kind: 'unsafe', reason: 'a data: URL that is not base64' };
    }
    const mimeType = (match[1] ?? '').trim().toLowerCase();
    return {
      kind: 'data-url',
      b64: value.slice(match[0].length),
      format: toImageFormat(mimeType),
      mimeType,
    };
  }
  if (head.startsWith('https://')) {
    return /[\s"'<>\\]/.test(value) || value.length > 8192
      ? { kind: 'unsafe', reason: 'a malformed https: URL' }
      : { kind: 'https', url: value };
  }
  const scheme = head.slice(0, head.indexOf(':'));
  return { kind: 'unsafe', reason: `a ${scheme}: URL` };
}
