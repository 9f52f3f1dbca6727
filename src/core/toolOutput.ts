/**
 * Which tool outputs are images. The AI SDK names a tool after the key the user gave it in
 * `tools`, so an image tool is recognised by the shape of its output, never by its name: OpenAI's
 * image tool returns `{ result: <base64> }`; a user's own tool may return `{ base64, mediaType }`,
 * a `data:` URL, or an `https:` URL. Shared by the normaliser (UI message chunks) and
 * `useUIMessageImages` (UI message parts). @internal
 */

import { type ImageFormat, toImageFormat } from './mime';
import { asRecord } from './record';
import { sniffImageFormat } from './sniff';

/** Where a tool's output may hold its image: OpenAI's `result`, and the usual names after it. */
const IMAGE_KEYS = ['result', 'base64', 'b64_json', 'b64Json', 'image', 'data', 'url', 'imageUrl'];
const FORMAT_KEYS = ['mediaType', 'mimeType', 'media_type', 'mime_type', 'outputFormat', 'format'];

/** Is `value` an image payload: image base64, an image `data:` URL, or an `https:` image URL? */
export function looksLikeImage(value: string): boolean {
  if (value.startsWith('data:')) return /^data:image\//i.test(value);
  if (value.startsWith('https://')) return /\.(png|jpe?g|webp|gif|avif)(?:[?#]|$)/i.test(value);
  return value.length >= 16 && sniffImageFormat(value) !== null;
}

/** The image a tool output holds, and the format it declares, or `null` (not an image tool). */
export function toolOutputImage(
  output: unknown,
): { b64: string; format: ImageFormat | null } | null {
  if (typeof output === 'string') {
    return looksLikeImage(output) ? { b64: output, format: null } : null;
  }
  const record = asRecord(output);
  if (record === null) return null;
  for (const key of IMAGE_KEYS) {
    const value = record[key];
    if (typeof value !== 'string' || !looksLikeImage(value)) continue;
    let format: ImageFormat | null = null;
    for (const name of FORMAT_KEYS) format ??= toImageFormat(record[name]);
    return { b64: value, format };
  }
  return null;
}
