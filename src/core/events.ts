/**
 * The normalised events: what every provider shape becomes before it reaches the reducer.
 * One union, narrowed on `type` (`Extract<PartialImageEvent, { type: 'image.partial' }>`).
 * `normalize.ts` builds them; `reducer.ts` applies them.
 */

import type { PartialImagesError } from './errors';
import type { ImageFormat, ImageSize } from './mime';

/** What an image's own bytes say: its format and pixel size (read from its first bytes). */
export interface DetectedImage {
  readonly format: ImageFormat | null;
  readonly size: ImageSize | null;
}

/** One final image: from `output_item.done`, an Images API `completed` event or a response body. */
export interface FinalImage {
  /** The item id; `null` when the source has none (Images API, Gemini): the reducer assigns one. */
  readonly itemId: string | null;
  readonly outputIndex: number | null;
  /** Base64, a `data:` URL or an `https:` URL; classified by the reducer. */
  readonly result: string;
  readonly revisedPrompt: string | null;
  /** The declared format (`output_format`, `media_type`, `mimeType`), when it is an image. */
  readonly format: ImageFormat | null;
  /** The declared size (`"1536x1024"`), `null` for `"auto"` or when absent. */
  readonly size: ImageSize | null;
  /** What the bytes say, when the normaliser looked (it does): used where nothing is declared. */
  readonly detected?: DetectedImage | undefined;
}

interface Base {
  /** The provider's `sequence_number`, or `null` when the event has none (or a corrupt one). */
  readonly sequenceNumber: number | null;
  /** `Date.now()` when the event was normalised. */
  readonly receivedAt: number;
}

/**
 * Every event the reducer understands: what `normalizeEvent` returns for anything that concerns
 * images or the response's life. Narrow on `type`:
 *
 * - `response.created`: a response began (also `response.queued` / `.in_progress`, the AI SDK's
 *   `start`); carries the image tool's echoed `format` and `size`.
 * - `image.added`: an image item exists (`response.output_item.added`).
 * - `image.progress`: an image call made progress without bytes (`in_progress`, `generating`,
 *   `completed`).
 * - `image.partial`: a preview frame. `partialImageIndex` is `null` when the source does not
 *   number its frames (the AI SDK's tool outputs): the reducer takes the next index.
 * - `image.final`: the final image of one item.
 * - `image.settled`: the newest preview of an item is its final image (sources that never mark a
 *   final, such as the AI SDK's repeated tool outputs, once the stream ends cleanly).
 * - `image.failed`: one image failed: the provider marked its call so, or its frame was refused
 *   (`error` then says why).
 * - `response.images`: whole images that arrived mid-response (Gemini's `inlineData` parts).
 * - `response.completed` / `.incomplete` / `.failed`: the end, with every final image again.
 * - `error`: the provider's `error` event (flat or nested shape).
 * - `stream.end`: the source ended (`done` after `data: [DONE]`, `eof` when it just closed).
 * - `stream.error`: a problem with the stream itself; `fatal: false` (a malformed event, skipped)
 *   leaves it going, `fatal: true` (network, HTTP, abort, nothing recognisable) ends it.
 */
export type PartialImageEvent =
  | (Base & {
      readonly type: 'response.created';
      readonly responseId: string | null;
      readonly format: ImageFormat | null;
      readonly size: ImageSize | null;
    })
  | (Base & {
      readonly type: 'image.added';
      readonly itemId: string;
      readonly outputIndex: number | null;
    })
  | (Base & {
      readonly type: 'image.progress';
      readonly itemId: string;
      readonly outputIndex: number | null;
      readonly phase: 'in_progress' | 'generating' | 'completed';
    })
  | (Base & {
      readonly type: 'image.partial';
      /** `null` for Images API streams, which have no item id (the reducer assigns one). */
      readonly itemId: string | null;
      readonly outputIndex: number | null;
      /** 0-based, per item; `null` when the source does not say (the next index is taken). */
      readonly partialImageIndex: number | null;
      /** The frame's base64 (or a `data:` / `https:` URL). */
      readonly b64: string;
      readonly format: ImageFormat | null;
      readonly size: ImageSize | null;
      /** What the bytes say, when the normaliser looked (it does). */
      readonly detected?: DetectedImage | undefined;
    })
  | (Base & FinalImage & { readonly type: 'image.final' })
  | (Base & { readonly type: 'image.settled'; readonly itemId: string })
  | (Base & {
      readonly type: 'image.failed';
      /** `null` when the source has no item ids (the open item is meant). */
      readonly itemId: string | null;
      readonly outputIndex: number | null;
      /** Why, when the stream knows (a frame over the limit); else the provider said so. */
      readonly error?: PartialImagesError | null | undefined;
    })
  | (Base & { readonly type: 'response.images'; readonly images: readonly FinalImage[] })
  | (Base & {
      readonly type: 'response.completed';
      readonly responseId: string | null;
      readonly images: readonly FinalImage[];
    })
  | (Base & {
      readonly type: 'response.incomplete';
      readonly responseId: string | null;
      /** `max_output_tokens`, `content_filter`, … */
      readonly reason: string | null;
      readonly images: readonly FinalImage[];
    })
  | (Base & {
      readonly type: 'response.failed';
      readonly responseId: string | null;
      readonly error: PartialImagesError;
      readonly images: readonly FinalImage[];
    })
  | (Base & { readonly type: 'error'; readonly error: PartialImagesError })
  | (Base & { readonly type: 'stream.end'; readonly reason: 'done' | 'eof' })
  | (Base & {
      readonly type: 'stream.error';
      readonly error: PartialImagesError;
      readonly fatal: boolean;
    });

/** The `type` of a {@link PartialImageEvent}. */
export type PartialImageEventType = PartialImageEvent['type'];

/** The member of {@link PartialImageEvent} with this `type`. @internal */
export type EventOf<T extends PartialImageEventType> = Extract<PartialImageEvent, { type: T }>;

/** @internal Builds a stream error event (fatal or not). */
export function streamErrorEvent(
  error: PartialImagesError,
  fatal: boolean,
): EventOf<'stream.error'> {
  return { type: 'stream.error', error, fatal, sequenceNumber: null, receivedAt: Date.now() };
}
