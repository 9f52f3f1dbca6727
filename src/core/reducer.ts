/**
 * `reducePartialImages(state, event)`: the pure heart of the library.
 *
 * Returns the same object when an event changes nothing (a repeated frame, a progress event that
 * says nothing new, anything after the end), so subscribers can skip work by identity.
 */

import { PartialImagesError } from './errors';
import type {
  DeclaredImageFields,
  FinalImage,
  ImagePartialEvent,
  PartialImageEvent,
  ResponseCompletedEvent,
  ResponseFailedEvent,
  ResponseIncompleteEvent,
} from './events';
import {
  base64ByteLength,
  classifyImagePayload,
  IMAGE_MIME_TYPES,
  type ImageFormat,
  type ImageSize,
  sniffImageFormat,
  sniffImageSize,
  toImageFormat,
} from './mime';
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
   * `frame-too-large`; the rest of the stream goes on.
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

/** The default of {@link ReduceOptions.maxFrameBytes}. */
export const DEFAULT_MAX_FRAME_BYTES = 32 * 1024 * 1024;

const EMPTY_OPTIONS: ReduceOptions = {};

// ---------------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------------

type FrameResult =
  | { ok: true; frame: PartialImageFrame; format: ImageFormat; size: ImageSize | null }
  | { ok: false; error: PartialImagesError };

interface FrameInput {
  payload: string;
  index: number;
  isFinal: boolean;
  declared: DeclaredImageFields;
  sequenceNumber: number | null;
  receivedAt: number;
  itemId: string;
}

function frameError(
  code: 'frame-too-large' | 'unsupported-media-type' | 'unsafe-url',
  message: string,
  input: FrameInput,
): FrameResult {
  return {
    ok: false,
    error: new PartialImagesError(code, message, {
      itemId: input.itemId,
      sequenceNumber: input.sequenceNumber,
    }),
  };
}

function makeFrame(
  input: FrameInput,
  state: PartialImagesState,
  options: ReduceOptions,
): FrameResult {
  const payload = classifyImagePayload(input.payload);
  const allowSvg = options.allowSvg === true;
  const common = {
    index: input.index,
    isFinal: input.isFinal,
    sequenceNumber: input.sequenceNumber,
    receivedAt: input.receivedAt,
  };
  if (payload.kind === 'unsafe') {
    return frameError(
      'unsafe-url',
      `Image ${input.itemId} is ${payload.reason}; not shown.`,
      input,
    );
  }
  if (payload.kind === 'https') {
    const format =
      input.declared.format ?? toImageFormat(/\.(\w{3,4})(?:[?#]|$)/.exec(payload.url)?.[1]);
    if (format === 'svg' && !allowSvg) {
      return frameError(
        'unsupported-media-type',
        `Image ${input.itemId} is SVG; pass \`allowSvg: true\` to show SVG images.`,
        input,
      );
    }
    const frame: PartialImageFrame = Object.freeze({
      ...common,
      mimeType: format ? IMAGE_MIME_TYPES[format] : 'image/png',
      b64: null,
      src: payload.url,
      byteLength: 0,
    });
    return { ok: true, frame, format: format ?? 'png', size: input.declared.size };
  }

  const b64 = payload.b64;
  const limit = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (b64.length > limit) {
    return frameError(
      'frame-too-large',
      `Image ${input.itemId} sent a frame of ${b64.length} base64 characters, over the ` +
        `\`maxFrameBytes\` limit of ${limit}.`,
      input,
    );
  }

  let format: ImageFormat | null;
  if (payload.kind === 'data-url') {
    format = payload.format;
    if (format === null) {
      return frameError(
        'unsupported-media-type',
        `Image ${input.itemId} is a data: URL of type "${payload.mimeType.slice(0, 64)}", ` +
          'which is not an image type.',
        input,
      );
    }
  } else {
    // Event field, then the tool echo, then the request option, then the bytes, then PNG.
    format =
      input.declared.format ??
      state.toolDefaults.format ??
      toImageFormat(options.outputFormat) ??
      sniffImageFormat(b64) ??
      'png';
  }
  if (format === 'svg' && !allowSvg) {
    return frameError(
      'unsupported-media-type',
      `Image ${input.itemId} is SVG; pass \`allowSvg: true\` to show SVG images.`,
      input,
    );
  }

  const mimeType = IMAGE_MIME_TYPES[format];
  const prefixLength = 13 + mimeType.length; // "data:" + mimeType + ";base64,"
  const src = `data:${mimeType};base64,${b64}`;
  const frame = { ...common, mimeType, src, byteLength: base64ByteLength(b64) };
  // `b64` is read back out of `src` so that, once the browser has flattened `src`, one copy of
  // the megabytes stays in memory rather than two.
  Object.defineProperty(frame, 'b64', {
    enumerable: true,
    get: () => src.slice(prefixLength),
  });
  return {
    ok: true,
    frame: Object.freeze(frame) as PartialImageFrame,
    format,
    size: input.declared.size ?? (input.index === 0 ? sniffImageSize(b64, format) : null),
  };
}

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

function nextOutputIndex(items: readonly PartialImageItem[]): number {
  let max = -1;
  for (const item of items) if (item.outputIndex > max) max = item.outputIndex;
  return max + 1;
}

function findItem(state: PartialImagesState, id: string): PartialImageItem | undefined {
  for (const item of state.items) if (item.id === id) return item;
  return undefined;
}

/** Inserts or replaces `item`, keeping `items` sorted by `outputIndex` (stable). */
function putItem(state: PartialImagesState, item: PartialImageItem): PartialImagesState {
  const items = state.items.filter((existing) => existing.id !== item.id);
  let at = items.length;
  while (at > 0 && (items[at - 1] as PartialImageItem).outputIndex > item.outputIndex) at--;
  items.splice(at, 0, item);
  return { ...state, items };
}

/** The item an event is about, created when unknown. Images API events have no id: the open one. */
function itemFor(
  state: PartialImagesState,
  itemId: string | null,
  outputIndex: number | null,
): PartialImageItem {
  if (itemId === null) {
    for (let i = state.items.length - 1; i >= 0; i--) {
      const item = state.items[i] as PartialImageItem;
      if (item.id.startsWith('image_') && item.final === null && item.status !== 'failed') {
        return item;
      }
    }
    const item = newItem(`image_${state.items.length}`, nextOutputIndex(state.items), state);
    return item;
  }
  const existing = findItem(state, itemId);
  if (existing) {
    return outputIndex !== null && outputIndex !== existing.outputIndex
      ? { ...existing, outputIndex }
      : existing;
  }
  return newItem(itemId, outputIndex ?? nextOutputIndex(state.items), state);
}

function isOpen(item: PartialImageItem): boolean {
  return item.final === null && item.status !== 'failed';
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

// ---------------------------------------------------------------------------------------------
// Event handlers
// ---------------------------------------------------------------------------------------------

function applyPartial(
  state: PartialImagesState,
  event: ImagePartialEvent,
  options: ReduceOptions,
): PartialImagesState {
  const item = itemFor(state, event.itemId, event.outputIndex);
  // A late or repeated preview never replaces a newer frame.
  if (item.final !== null || item.status === 'failed') return state;
  if (item.latest !== null && event.partialImageIndex <= item.latest.index) return state;
  const made = makeFrame(
    {
      payload: event.b64,
      index: event.partialImageIndex,
      isFinal: false,
      declared: event,
      sequenceNumber: event.sequenceNumber,
      receivedAt: event.receivedAt,
      itemId: item.id,
    },
    state,
    options,
  );
  if (!made.ok) return putItem(state, failItem(item, made.error));
  return putItem(state, {
    ...item,
    status: 'partial',
    frames: [...item.frames, made.frame],
    latest: made.frame,
    size: item.size ?? made.size,
    outputFormat: made.format,
  });
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
  const index = item.latest === null ? 0 : item.latest.index + 1;
  const made = makeFrame(
    {
      payload: image.result,
      index,
      isFinal: true,
      declared: image,
      sequenceNumber,
      receivedAt,
      itemId: item.id,
    },
    state,
    options,
  );
  const revisedPrompt = image.revisedPrompt ?? item.revisedPrompt;
  if (!made.ok) return putItem(state, { ...failItem(item, made.error), revisedPrompt });
  return putItem(state, {
    ...item,
    status: 'completed',
    frames: options.keepHistory ? [...item.frames, made.frame] : [made.frame],
    latest: made.frame,
    final: made.frame,
    revisedPrompt,
    size: image.size ?? item.size ?? made.size,
    outputFormat: made.format,
    error: null,
  });
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
  event: ResponseCompletedEvent | ResponseIncompleteEvent | ResponseFailedEvent,
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

function endStream(
  state: PartialImagesState,
  reason: 'done' | 'eof',
  sequenceNumber: number | null,
): PartialImagesState {
  const allFinal = state.items.every((item) => !isOpen(item));
  // `[DONE]` is a deliberate end. A bare close is one too for the Images API, which has no
  // terminal response event, once every image is final. Anything else was cut short.
  const clean =
    allFinal && (reason === 'done' || (state.responseId === null && state.items.length > 0));
  if (clean) return { ...state, status: 'completed' };
  const error = new PartialImagesError(
    'stream-truncated',
    reason === 'done'
      ? 'The stream ended ([DONE]) before every image was final.'
      : 'The stream ended without a terminal event (the connection was probably dropped).',
    { sequenceNumber },
  );
  return { ...failOpenItems(state, () => error), status: 'failed', error };
}

/**
 * Applies one normalized event to the state. Pure: the same inputs give the same output, and
 * nothing is mutated.
 *
 * - Items are keyed by `itemId` and kept sorted by `outputIndex`; several images may interleave.
 * - An event whose `sequenceNumber` is not above `state.lastSequenceNumber` is dropped (a replay
 *   after a resume); a late preview never replaces a newer frame.
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
  const seq = event.sequenceNumber;
  let base = state;
  if (event.type === 'response.created' && event.responseId !== null) {
    if (state.responseId !== null && state.responseId !== event.responseId) {
      // A new response in the same store: its sequence numbers start again.
      base = { ...state, lastSequenceNumber: null, responseId: event.responseId };
    }
  }
  if (seq !== null && base.lastSequenceNumber !== null && seq <= base.lastSequenceNumber) {
    return state;
  }
  const next = apply(base, event, options);
  if (next === base) return state;
  if (seq === null || (next.lastSequenceNumber !== null && seq <= next.lastSequenceNumber)) {
    return next;
  }
  return { ...next, lastSequenceNumber: seq };
}

function startStreaming(state: PartialImagesState): PartialImagesState {
  return state.status === 'idle' ? { ...state, status: 'streaming' } : state;
}

function apply(
  state: PartialImagesState,
  event: PartialImageEvent,
  options: ReduceOptions,
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
      const changed =
        state.status === 'idle' ||
        state.responseId !== (event.responseId ?? state.responseId) ||
        format !== state.toolDefaults.format ||
        size !== state.toolDefaults.size;
      if (!changed) return state;
      return {
        ...state,
        status: 'streaming',
        responseId: event.responseId ?? state.responseId,
        toolDefaults: { format, size },
      };
    }
    case 'image.added': {
      if (findItem(state, event.itemId)) return state;
      return putItem(startStreaming(state), itemFor(state, event.itemId, event.outputIndex));
    }
    case 'image.progress': {
      const item = itemFor(state, event.itemId, event.outputIndex);
      const known = findItem(state, event.itemId) === item;
      let status: ItemStatus = item.status;
      if (item.status === 'pending' && event.phase !== 'completed') status = 'generating';
      if (known && status === item.status) return state;
      return putItem(startStreaming(state), { ...item, status });
    }
    case 'image.partial':
      return applyPartial(startStreaming(state), event, options);
    case 'image.final':
      return applyFinal(
        startStreaming(state),
        event,
        event.sequenceNumber,
        event.receivedAt,
        options,
      );
    case 'image.failed': {
      const item = itemFor(state, event.itemId, event.outputIndex);
      if (!isOpen(item)) return state;
      const error = new PartialImagesError(
        'image-failed',
        `The provider reported that image ${item.id} failed.`,
        { itemId: item.id, sequenceNumber: event.sequenceNumber },
      );
      return putItem(startStreaming(state), failItem(item, error));
    }
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      if (terminal)
        return applyFinals(state, event.images, event.sequenceNumber, event.receivedAt, options);
      return applyTerminal(state, event, options);
    case 'error': {
      if (terminal) return state;
      const failed = failOpenItems(state, () => event.error);
      return { ...failed, status: 'failed', error: event.error };
    }
    case 'stream.end':
      if (terminal) return state;
      return endStream(state, event.reason, event.sequenceNumber);
    case 'stream.error': {
      if (!event.fatal)
        return state.error === event.error ? state : { ...state, error: event.error };
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
