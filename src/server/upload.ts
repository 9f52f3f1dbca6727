/**
 * Final images kept out of chat history: with `uploadFinalImage`, the relay stores each final
 * image (in your object store) and sends the browser its `https:` URL instead of the megabytes of
 * base64, so what a chat saves is a link. Previews stream as they come.
 */

import { base64ToBytes } from '../core/blob';
import { IMAGE_MIME_TYPES, toImageFormat } from '../core/mime';
import { sniffImageFormat } from '../core/sniff';
import { IMAGE_ITEM_TYPES, isPlainObject } from '../core/wire';

/** What {@link ToSSEStreamOptions.uploadFinalImage} is given for each final image. */
export interface FinalImageUpload {
  /** The image's bytes, decoded from the base64 the provider sent. */
  bytes: Uint8Array;
  /** `image/png`, `image/webp`, … (from the provider's `output_format`, else the bytes). */
  mimeType: string;
  /** The provider's item id (`ig_…`), or `image_<n>` for Images API results. */
  itemId: string;
  /** The prompt the model used, when the provider says. */
  revisedPrompt: string | null;
}

/** Stores one final image and resolves to its `https:` URL. */
export type UploadFinalImage = (
  image: FinalImageUpload,
  options: { signal: AbortSignal },
) => Promise<string>;

type Upload = (image: FinalImageUpload) => Promise<string | null>;

/** A final image found in a wire event, and how to write its URL back in. */
interface Found {
  b64: string;
  itemId: string;
  revisedPrompt: string | null;
  format: unknown;
  /** The event with `url` in place of the base64. */
  replace(url: string): Record<string, unknown>;
}

/** Base64 (not already a URL), with a `data:` prefix removed. */
function base64Of(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (value.startsWith('data:')) {
    const comma = value.indexOf(',');
    return comma !== -1 && /;base64$/i.test(value.slice(0, comma)) ? value.slice(comma + 1) : null;
  }
  return value.includes(':') ? null : value;
}

function findFinal(event: Record<string, unknown>, imagesApiCount: number): Found | null {
  const type = event.type;
  if (type === 'response.output_item.done' && isPlainObject(event.item)) {
    const item = event.item;
    const b64 = base64Of(item.result);
    if (!b64 || typeof item.id !== 'string' || !IMAGE_ITEM_TYPES.has(String(item.type)))
      return null;
    return {
      b64,
      itemId: item.id,
      revisedPrompt: typeof item.revised_prompt === 'string' ? item.revised_prompt : null,
      format: item.output_format,
      replace: (url) => ({ ...event, item: { ...item, result: url } }),
    };
  }
  if (type === 'image_generation.completed' || type === 'image_edit.completed') {
    const b64 = base64Of(event.b64_json);
    if (!b64) return null;
    return {
      b64,
      itemId: `image_${imagesApiCount}`,
      revisedPrompt: null,
      format: event.output_format ?? event.media_type,
      replace: (url) => ({ ...event, b64_json: url }),
    };
  }
  if (type === 'raw_model_stream_event' && isPlainObject(event.data)) {
    // The Agents SDK wraps the Responses events.
    const data = event.data;
    if (!isPlainObject(data.event)) return null;
    const inner = findFinal(data.event, imagesApiCount);
    return (
      inner && {
        ...inner,
        replace: (url) => ({ ...event, data: { ...data, event: inner.replace(url) } }),
      }
    );
  }
  return null;
}

/**
 * Rewrites what the relay sends so that no final image goes out as base64: each one is
 * uploaded once, and its URL written where the base64 was (in `output_item.done`, the Images
 * API's `completed`, and the repeat in `response.completed`). A failed upload sends the base64
 * as it is, and is reported. @internal
 */
export function createFinalUploader(
  upload: UploadFinalImage,
  signal: AbortSignal,
  report: (error: unknown) => void,
) {
  const urls = new Map<string, Promise<string | null>>();
  let imagesApiCount = 0;
  const store: Upload = async (image) => {
    try {
      const url = await upload(image, { signal });
      if (typeof url !== 'string' || !url.startsWith('https://')) {
        throw new TypeError(
          `uploadFinalImage must resolve to an https: URL, got ${String(url).slice(0, 60)}.`,
        );
      }
      return url;
    } catch (error) {
      if (!signal.aborted) report(error);
      return null;
    }
  };
  return async (event: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const found = findFinal(event, imagesApiCount);
    if (found) {
      if (event.type === 'image_generation.completed' || event.type === 'image_edit.completed') {
        imagesApiCount++;
      }
      let pending = urls.get(found.itemId);
      if (!pending) {
        let bytes: Uint8Array;
        try {
          bytes = base64ToBytes(found.b64);
        } catch (error) {
          report(error);
          return event;
        }
        const format = toImageFormat(found.format) ?? sniffImageFormat(found.b64) ?? 'png';
        pending = store({
          bytes,
          mimeType: IMAGE_MIME_TYPES[format],
          itemId: found.itemId,
          revisedPrompt: found.revisedPrompt,
        });
        urls.set(found.itemId, pending);
      }
      const url = await pending;
      return url === null ? event : found.replace(url);
    }
    if (event.type === 'response.completed' && isPlainObject(event.response) && urls.size > 0) {
      const response = event.response;
      if (!Array.isArray(response.output)) return event;
      const output = await Promise.all(
        response.output.map(async (entry: unknown) => {
          if (!isPlainObject(entry) || typeof entry.id !== 'string' || !('result' in entry))
            return entry;
          const url = await urls.get(entry.id);
          return url ? { ...entry, result: url } : entry;
        }),
      );
      return { ...event, response: { ...response, output } };
    }
    return event;
  };
}
