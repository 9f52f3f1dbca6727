/**
 * The state a stream reduces to: one response, its image items, and their frames.
 * Every object here is immutable; an update replaces only what changed, so an item that did not
 * change keeps its identity (and a per-item subscriber does not re-render).
 */

import type { PartialImagesError } from './errors';
import type { ImageFormat, ImageSize } from './mime';

/**
 * The life of the whole response:
 * - `idle`: nothing consumed yet (also what server rendering shows);
 * - `streaming`: events are arriving;
 * - `completed`: the response completed (`response.completed`, `[DONE]` with every image final);
 * - `incomplete`: the provider stopped early (`response.incomplete`, a content filter);
 * - `failed`: an error event, `response.failed`, an HTTP error, a stream cut short;
 * - `aborted`: the signal fired or `abort()` was called.
 */
export type ResponseStatus =
  | 'idle'
  | 'streaming'
  | 'completed'
  | 'incomplete'
  | 'failed'
  | 'aborted';

/**
 * The life of one image, also `<ProgressiveImage>`'s `data-state`:
 * `pending` (the item exists), `generating` (work reported, no frame yet), `partial` (a preview is
 * there), `completed` (the final image is there), `failed` (`item.error` says why; any frame
 * received stays).
 */
export type ItemStatus = 'pending' | 'generating' | 'partial' | 'completed' | 'failed';

/** One displayable frame: a preview, or the final image (`isFinal`). */
export interface PartialImageFrame {
  /**
   * The `partial_image_index` (0-based) of a preview. The final frame takes the next index after
   * the last preview, so indices only grow.
   */
  readonly index: number;
  /** `true` for the final image. */
  readonly isFinal: boolean;
  /** An image MIME type, e.g. `image/webp`. Never anything but `image/*`. */
  readonly mimeType: string;
  /**
   * The image as base64, or `null` when the provider returned an `https:` URL.
   * It shares memory with `src`, so holding both costs nothing extra.
   */
  readonly b64: string | null;
  /** What to put in `<img src>`: a `data:` URL, or the provider's `https:` URL. */
  readonly src: string;
  /** The decoded size in bytes (estimated from the base64 length; 0 for URLs). */
  readonly byteLength: number;
  /** The event's `sequence_number`, or `null` when it had none. */
  readonly sequenceNumber: number | null;
  /** `Date.now()` when the frame arrived. */
  readonly receivedAt: number;
}

/** One image of the response. */
export interface PartialImageItem {
  /** The provider's item id (`ig_…`, the AI SDK's tool call id), or `image_<n>` when it has none. */
  readonly id: string;
  /** The position in `response.output`; items are sorted by it. */
  readonly outputIndex: number;
  readonly status: ItemStatus;
  /**
   * The frames kept: every preview while streaming; once the final image arrives, only the final
   * frame (unless the store was made with `keepHistory: true`).
   */
  readonly frames: readonly PartialImageFrame[];
  /** The newest frame (the final one once it is there), or `null` before any. */
  readonly latest: PartialImageFrame | null;
  /** The final frame, or `null` until it arrives. */
  readonly final: PartialImageFrame | null;
  /** The prompt the model actually used, when the provider reports it. */
  readonly revisedPrompt: string | null;
  /** Pixel size, known before any frame when the provider declares it (use it to reserve space). */
  readonly size: ImageSize | null;
  /** The image format, once known. */
  readonly outputFormat: ImageFormat | null;
  /** Why the item failed (`status: 'failed'`), else `null`. */
  readonly error: PartialImagesError | null;
}

/** Everything a stream has told us so far. */
export interface PartialImagesState {
  readonly status: ResponseStatus;
  /** Image items, ordered by `outputIndex`. */
  readonly items: readonly PartialImageItem[];
  /**
   * The error that ended the stream, or the latest non-fatal problem (a malformed event that was
   * skipped) while it goes on. `null` when nothing went wrong.
   */
  readonly error: PartialImagesError | null;
  /** The provider's response id (`resp_…`), once known. */
  readonly responseId: string | null;
  /** The image tool's format and size as echoed in `response.created`, used as defaults. */
  readonly toolDefaults: { readonly format: ImageFormat | null; readonly size: ImageSize | null };
}

/** The state before any event. Frozen; also the server snapshot of the React hook. */
export const initialPartialImagesState: PartialImagesState = Object.freeze({
  status: 'idle',
  items: Object.freeze([]) as readonly PartialImageItem[],
  error: null,
  responseId: null,
  toolDefaults: Object.freeze({ format: null, size: null }),
}) as PartialImagesState;

/** Is the response over (`completed`, `incomplete`, `failed` or `aborted`)? @internal */
export function isTerminalStatus(status: ResponseStatus): boolean {
  return status !== 'idle' && status !== 'streaming';
}
