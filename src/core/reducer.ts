/**
 * `reducePartialImages(state, event)`: the pure heart of the library.
 *
 * Returns the same object when an event changes nothing (a repeated frame, a progress event that
 * says nothing new, anything after the end), so subscribers can skip work by identity. Repeats
 * are harmless here: a preview is applied only when it is newer than the item's newest frame, and
 * a final only once, so a replayed event changes nothing.
 */

import { PartialImagesError } from './errors';
import type { DetectedImage, EventOf, FinalImage, PartialImageEvent } from './events';
import { DEFAULT_MAX_FRAME_BYTES, type FrameResult, makeFrame, settleFrame } from './frames';
import { type ImageFormat, toImageFormat } from './mime';
import {
  type ItemStatus,
  isTerminalStatus,
  type PartialImageFrame,
  type PartialImageItem,
  type PartialImagesState,
} from './state';

/** Options that shape how events become state. All optional. */
export interface ReduceOptions {
  /**
   * Keep every preview frame after the final image arrives (for a timeline or a scrubber).
   * @defaultValue `false`: previews are released once the final frame is in.
   */
  keepHistory?: boolean | undefined;
  /**
   * The largest frame accepted, in base64 characters. A bigger frame fails its item with
   * `frame-too-large` (a bigger `data:` line is refused while it streams); the rest of the stream
   * goes on.
   * @defaultValue 33554432 (32 MiB; real frames are 1–3 MB)
   */
  maxFrameBytes?: number | undefined;
  /**
   * The `output_format` your request asked for, used when the stream does not say
   * (the OpenRouter SDK strips it from partial-image events).
   */
  outputFormat?: ImageFormat | 'jpg' | undefined;
  /**
   * Allow SVG images (OpenRouter's Images API can return them). Off by default: an SVG frame
   * fails its item with `unsupported-media-type`.
   * @defaultValue `false`
   */
  allowSvg?: boolean | undefined;
}

/** The most images one response may have; further ones are refused (`too-many-images`). */
export const MAX_ITEMS = 100;

const EMPTY_OPTIONS: ReduceOptions = {};

// ---------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------

function newItem(id: string, outputIndex: number, state: PartialImagesState): PartialImageItem {
  return {
    id,
    outputIndex,
    status: 'pending',
    frames: [],
    latest: null,
    final: null,
    revisedPrompt: null,
    size: state.toolDefaults.size,
    outputFormat: null,
    error: null,
  };
}

function isOpen(item: PartialImageItem): boolean {
  return item.final === null && item.status !== 'failed';
}

function findItem(state: PartialImagesState, id: string): PartialImageItem | undefined {
  const { items } = state;
  for (let i = items.length - 1; i >= 0; i--)
    if ((items[i] as PartialImageItem).id === id) return items[i];
  return undefined;
}

function nextOutputIndex(items: readonly PartialImageItem[]): number {
  const last = items[items.length - 1];
  return last ? last.outputIndex + 1 : 0;
}

/** Inserts or replaces `item`, keeping `items` sorted by `outputIndex` (stable). */
function putItem(state: PartialImagesState, item: PartialImageItem): PartialImagesState {
  const items = state.items.slice();
  const at = items.findIndex((existing) => existing.id === item.id);
  if (at !== -1) {
    const before = items[at - 1];
    const after = items[at + 1];
    // The usual case, in place: the same position.
    if (
      (!before || before.outputIndex <= item.outputIndex) &&
      (!after || after.outputIndex >= item.outputIndex)
    ) {
      items[at] = item;
      return { ...state, items };
    }
    items.splice(at, 1);
  }
  let to = items.length;
  while (to > 0 && (items[to - 1] as PartialImageItem).outputIndex > item.outputIndex) to--;
  items.splice(to, 0, item);
  return { ...state, items };
}

/**
 * The item an event is about, or a new one (not yet in the state). An event without an id (the
 * Images API, Gemini) is about the open item at its `outputIndex`, else the newest open item
 * without a provider id, else a new `image_<n>`.
 */
function itemFor(
  state: PartialImagesState,
  itemId: string | null,
  outputIndex: number | null,
): PartialImageItem {
  if (itemId === null) {
    for (let i = state.items.length - 1; i >= 0; i--) {
      const item = state.items[i] as PartialImageItem;
      if (!isOpen(item)) continue;
      if (outputIndex !== null ? item.outputIndex === outputIndex : item.id.startsWith('image_')) {
        return item;
      }
    }
    return newItem(
      `image_${state.items.length}`,
      outputIndex ?? nextOutputIndex(state.items),
      state,
    );
  }
  const existing = findItem(state, itemId);
  if (existing) {
    return outputIndex !== null && outputIndex !== existing.outputIndex
      ? { ...existing, outputIndex }
      : existing;
  }
  return newItem(itemId, outputIndex ?? nextOutputIndex(state.items), state);
}

/** Puts an item that is new or changed; a new one past {@link MAX_ITEMS} is refused. */
function commit(state: PartialImagesState, item: PartialImageItem): PartialImagesState {
  if (state.items.length >= MAX_ITEMS && findItem(state, item.id) === undefined) {
    if (state.error?.code === 'too-many-images') return state;
    return {
      ...state,
      error: new PartialImagesError(
        'too-many-images',
        `The response has more than ${MAX_ITEMS} images; the others are not shown.`,
        { itemId: item.id },
      ),
    };
  }
  return putItem(state, item);
}

function failItem(item: PartialImageItem, error: PartialImagesError): PartialImageItem {
  return { ...item, status: 'failed', error };
}

/** Fails every item still open (frames stay), with `error` or a per-item copy of it. */
function failOpenItems(
  state: PartialImagesState,
  makeError: (item: PartialImageItem) => PartialImagesError,
): PartialImagesState {
  if (!state.items.some(isOpen)) return state;
  return {
    ...state,
    items: state.items.map((item) => (isOpen(item) ? failItem(item, makeError(item)) : item)),
  };
}

function frameFor(
  state: PartialImagesState,
  item: PartialImageItem,
  input: {
    payload: string;
    index: number;
    isFinal: boolean;
    format: ImageFormat | null;
    size: PartialImageItem['size'];
    detected: DetectedImage | undefined;
    sequenceNumber: number | null;
    receivedAt: number;
  },
  options: ReduceOptions,
): FrameResult {
  return makeFrame({
    ...input,
    defaultFormat: state.toolDefaults.format ?? toImageFormat(options.outputFormat),
    itemId: item.id,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    allowSvg: options.allowSvg === true,
  });
}

// ---------------------------------------------------------------------------------------------
// Event handlers
// ---------------------------------------------------------------------------------------------

function applyPartial(
  state: PartialImagesState,
  event: EventOf<'image.partial'>,
  options: ReduceOptions,
): PartialImagesState {
  const item = itemFor(state, event.itemId, event.outputIndex);
  // A late or repeated preview never replaces a newer frame.
  if (item.final !== null || item.status === 'failed') return state;
  const next = item.latest === null ? 0 : item.latest.index + 1;
  const index = event.partialImageIndex ?? next;
  if (item.latest !== null && index < next) return state;
  const made = frameFor(
    state,
    item,
    {
      payload: event.b64,
      index,
      isFinal: false,
      format: event.format,
      size: event.size,
      detected: event.detected,
      sequenceNumber: event.sequenceNumber,
      receivedAt: event.receivedAt,
    },
    options,
  );
  if (!made.ok) return commit(state, failItem(item, made.error));
  return commit(state, {
    ...item,
    status: 'partial',
    frames: [...item.frames, made.frame],
    latest: made.frame,
    size: item.size ?? made.size,
    outputFormat: made.format,
  });
}

function completeItem(
  item: PartialImageItem,
  frame: PartialImageFrame,
  fields: Pick<PartialImageItem, 'revisedPrompt' | 'size' | 'outputFormat'>,
  options: ReduceOptions,
): PartialImageItem {
  return {
    ...item,
    ...fields,
    status: 'completed',
    frames: options.keepHistory ? [...item.frames, frame] : [frame],
    latest: frame,
    final: frame,
    error: null,
  };
}

function applyFinal(
  state: PartialImagesState,
  image: FinalImage,
  sequenceNumber: number | null,
  receivedAt: number,
  options: ReduceOptions,
): PartialImagesState {
  const item = itemFor(state, image.itemId, image.outputIndex);
  if (item.final !== null) return state; // already final: a terminal event repeating it
  const made = frameFor(
    state,
    item,
    {
      payload: image.result,
      index: item.latest === null ? 0 : item.latest.index + 1,
      isFinal: true,
      format: image.format,
      size: image.size,
      detected: image.detected,
      sequenceNumber,
      receivedAt,
    },
    options,
  );
  const revisedPrompt = image.revisedPrompt ?? item.revisedPrompt;
  if (!made.ok) return commit(state, { ...failItem(item, made.error), revisedPrompt });
  return commit(
    state,
    completeItem(
      item,
      made.frame,
      { revisedPrompt, size: image.size ?? item.size ?? made.size, outputFormat: made.format },
      options,
    ),
  );
}

function applyFinals(
  state: PartialImagesState,
  images: readonly FinalImage[],
  sequenceNumber: number | null,
  receivedAt: number,
  options: ReduceOptions,
): PartialImagesState {
  let next = state;
  for (const image of images) next = applyFinal(next, image, sequenceNumber, receivedAt, options);
  return next;
}

function applyTerminal(
  state: PartialImagesState,
  event: EventOf<'response.completed' | 'response.incomplete' | 'response.failed'>,
  options: ReduceOptions,
): PartialImagesState {
  // Recover finals that output_item.done did not deliver.
  let next = applyFinals(state, event.images, event.sequenceNumber, event.receivedAt, options);
  const responseId = event.responseId ?? next.responseId;
  if (event.type === 'response.completed') {
    next = failOpenItems(
      next,
      (item) =>
        new PartialImagesError(
          'missing-final-image',
          `The response completed without the final bytes of image ${item.id}.`,
          { itemId: item.id, sequenceNumber: event.sequenceNumber },
        ),
    );
    return { ...next, status: 'completed', responseId };
  }
  let error: PartialImagesError;
  if (event.type === 'response.failed') {
    // An `error` event usually precedes response.failed and says more: keep it.
    error = state.error?.code === 'provider-error' ? state.error : event.error;
  } else {
    error = new PartialImagesError(
      'response-incomplete',
      `The response is incomplete${event.reason ? ` (${event.reason})` : ''}.`,
      { providerCode: event.reason, sequenceNumber: event.sequenceNumber },
    );
  }
  next = failOpenItems(next, () => error);
  return {
    ...next,
    status: event.type === 'response.failed' ? 'failed' : 'incomplete',
    responseId,
    error,
  };
}

function endStream(state: PartialImagesState, reason: 'done' | 'eof'): PartialImagesState {
  const allFinal = state.items.every((item) => !isOpen(item));
  // `done` is a deliberate end: `[DONE]`, or the Images API's close after a `completed` event
  // (the decoder tells). A bare close is a cut: the stream's own end did not arrive.
  if (allFinal && reason === 'done') return { ...state, status: 'completed' };
  const error = new PartialImagesError(
    'stream-truncated',
    reason === 'done'
      ? 'The stream ended ([DONE]) before every image was final.'
      : state.status === 'idle'
        ? 'The stream ended before any event arrived.'
        : 'The stream ended without a terminal event (the connection was probably dropped).',
  );
  return { ...failOpenItems(state, () => error), status: 'failed', error };
}

function startStreaming(state: PartialImagesState): PartialImagesState {
  return state.status === 'idle' ? { ...state, status: 'streaming' } : state;
}

/**
 * Applies one normalised event to the state. Pure: the same inputs give the same output, and
 * nothing is mutated.
 *
 * - Items are keyed by `itemId` and kept sorted by `outputIndex`; several images may interleave.
 *   At most {@link MAX_ITEMS} per response.
 * - A late or repeated preview never replaces a newer frame, and a final is applied once, so
 *   replays change nothing. (`consume` also drops replays by sequence number.)
 * - The final image is taken from `image.final` whatever the provider's `status` says, and
 *   recovered from `response.completed` when it was missed.
 * - Errors become state: the response's `error`, or one item's `error` for per-image problems.
 *
 * @returns `state` itself when the event changes nothing.
 *
 * @example
 * ```ts
 * let state = initialPartialImagesState
 * for (const raw of events) {
 *   const event = normalizeEvent(raw)
 *   if (event) state = reducePartialImages(state, event)
 * }
 * ```
 */
export function reducePartialImages(
  state: PartialImagesState,
  event: PartialImageEvent,
  options: ReduceOptions = EMPTY_OPTIONS,
): PartialImagesState {
  const terminal = isTerminalStatus(state.status);
  switch (event.type) {
    case 'response.created': {
      if (terminal) return state;
      const format = event.format ?? state.toolDefaults.format;
      const previousSize = state.toolDefaults.size;
      // Keep the old size object when equal, so in_progress repeating the echo changes nothing.
      const size =
        event.size &&
        !(previousSize?.width === event.size.width && previousSize.height === event.size.height)
          ? event.size
          : previousSize;
      const responseId = event.responseId ?? state.responseId;
      if (
        state.status !== 'idle' &&
        state.responseId === responseId &&
        format === state.toolDefaults.format &&
        size === state.toolDefaults.size
      ) {
        return state;
      }
      return { ...state, status: 'streaming', responseId, toolDefaults: { format, size } };
    }
    case 'image.added': {
      if (terminal || findItem(state, event.itemId)) return state;
      return commit(startStreaming(state), itemFor(state, event.itemId, event.outputIndex));
    }
    case 'image.progress': {
      if (terminal) return state;
      const item = itemFor(state, event.itemId, event.outputIndex);
      const known = findItem(state, event.itemId) === item;
      let status: ItemStatus = item.status;
      if (item.status === 'pending' && event.phase !== 'completed') status = 'generating';
      if (known && status === item.status) return state;
      return commit(startStreaming(state), { ...item, status });
    }
    case 'image.partial':
      if (terminal) return state;
      return applyPartial(startStreaming(state), event, options);
    case 'image.final':
      return applyFinal(
        startStreaming(state),
        event,
        event.sequenceNumber,
        event.receivedAt,
        options,
      );
    case 'image.settled': {
      if (terminal) return state;
      const item = findItem(state, event.itemId);
      if (!item || !isOpen(item) || item.latest === null) return state;
      const frame = settleFrame(item.latest, event.receivedAt);
      return commit(
        state,
        completeItem(
          item,
          frame,
          { revisedPrompt: item.revisedPrompt, size: item.size, outputFormat: item.outputFormat },
          options,
        ),
      );
    }
    case 'image.failed': {
      if (terminal) return state;
      const item = itemFor(state, event.itemId, event.outputIndex);
      if (!isOpen(item)) return state;
      const error =
        event.error ??
        new PartialImagesError(
          'image-failed',
          `The provider reported that image ${item.id} failed.`,
          {
            itemId: item.id,
            sequenceNumber: event.sequenceNumber,
          },
        );
      return commit(startStreaming(state), failItem(item, error));
    }
    case 'response.images':
      return applyFinals(
        startStreaming(state),
        event.images,
        event.sequenceNumber,
        event.receivedAt,
        options,
      );
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      if (terminal) {
        return applyFinals(state, event.images, event.sequenceNumber, event.receivedAt, options);
      }
      return applyTerminal(state, event, options);
    case 'error': {
      if (terminal) return state;
      const failed = failOpenItems(state, () => event.error);
      return { ...failed, status: 'failed', error: event.error };
    }
    case 'stream.end':
      if (terminal) return state;
      return endStream(state, event.reason);
    case 'stream.error': {
      if (!event.fatal) {
        // A problem after the end never hides the error that ended the stream.
        if (terminal && state.status !== 'completed') return state;
        return state.error === event.error ? state : { ...state, error: event.error };
      }
      if (terminal) return state;
      const failed = failOpenItems(state, () => event.error);
      return {
        ...failed,
        status: event.error.code === 'aborted' ? 'aborted' : 'failed',
        error: event.error,
      };
    }
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
