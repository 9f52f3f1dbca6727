/**
 * Frames: one image payload (a preview or the final) turned into what `<img src>` can show,
 * safely. Where the MIME type comes from, in order of trust (WIRE.md § 5): the payload's own
 * `data:` URL, the event's declared format, the tool configuration echoed in `response.created`,
 * the `outputFormat` option, the bytes' signature (read by the normaliser: `detected`), then PNG. A `data:` URL is only ever built with
 * an image type, and SVG only with `allowSvg`.
 */

import { PartialImagesError } from './errors';
import type { DetectedImage } from './events';
import {
  base64ByteLength,
  classifyImagePayload,
  IMAGE_MIME_TYPES,
  type ImageFormat,
  type ImageSize,
  toImageFormat,
} from './mime';
import type { PartialImageFrame } from './state';

/** The default of `maxFrameBytes`: 32 MiB of base64 (real frames are 1–3 MB). @internal */
export const DEFAULT_MAX_FRAME_BYTES = 32 * 1024 * 1024;

/** What a frame is made from. @internal */
export interface FrameInput {
  payload: string;
  index: number;
  isFinal: boolean;
  /** The format and size the event declared. */
  format: ImageFormat | null;
  size: ImageSize | null;
  /**
   * What the bytes say (signature and header), read by the normaliser where the parsing runs
   * (the Worker): the main thread never scans an image's base64.
   */
  detected: DetectedImage | undefined;
  /** The format the tool configuration or the `outputFormat` option gives, before sniffing. */
  defaultFormat: ImageFormat | null;
  sequenceNumber: number | null;
  receivedAt: number;
  itemId: string;
  maxFrameBytes: number;
  allowSvg: boolean;
}

/** A frame, or why there is none. @internal */
export type FrameResult =
  | { ok: true; frame: PartialImageFrame; format: ImageFormat; size: ImageSize | null }
  | { ok: false; error: PartialImagesError };

function refuse(
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

/** Makes one frame, or refuses it (too large, not an image, unsafe). Pure. @internal */
export function makeFrame(input: FrameInput): FrameResult {
  const payload = classifyImagePayload(input.payload);
  const common = {
    index: input.index,
    isFinal: input.isFinal,
    sequenceNumber: input.sequenceNumber,
    receivedAt: input.receivedAt,
  };
  if (payload.kind === 'unsafe') {
    return refuse('unsafe-url', `Image ${input.itemId} is ${payload.reason}; not shown.`, input);
  }
  let format: ImageFormat | null;
  let b64: string | null = null;
  if (payload.kind === 'https') {
    format = input.format ?? toImageFormat(/\.(\w{3,4})(?:[?#]|$)/.exec(payload.url)?.[1]);
  } else {
    b64 = payload.b64;
    if (b64.length > input.maxFrameBytes) {
      return refuse(
        'frame-too-large',
        `Image ${input.itemId} sent a frame of ${b64.length} base64 characters, over the ` +
          `\`maxFrameBytes\` limit of ${input.maxFrameBytes}.`,
        input,
      );
    }
    if (payload.kind === 'data-url') {
      // The bytes win over a data: URL's own label when they are plainly another raster image:
      // gateways have been seen labelling JPEG bytes `data:image/png` (WIRE.md § 4).
      const sniffed = input.detected?.format ?? null;
      format =
        payload.format !== null && sniffed !== null && sniffed !== 'svg' ? sniffed : payload.format;
      if (format === null) {
        return refuse(
          'unsupported-media-type',
          `Image ${input.itemId} is a data: URL of type "${payload.mimeType.slice(0, 64)}", ` +
            'which is not an image type.',
          input,
        );
      }
    } else {
      format = input.format ?? input.defaultFormat ?? input.detected?.format ?? 'png';
    }
  }
  if (format === 'svg' && !input.allowSvg) {
    return refuse(
      'unsupported-media-type',
      `Image ${input.itemId} is SVG; pass \`allowSvg: true\` to show SVG images.`,
      input,
    );
  }
  if (payload.kind === 'https') {
    const frame: PartialImageFrame = Object.freeze({
      ...common,
      mimeType: format ? IMAGE_MIME_TYPES[format] : 'image/png',
      b64: null,
      src: payload.url,
      byteLength: 0,
    });
    return { ok: true, frame, format: format ?? 'png', size: input.size };
  }
  const data = b64 as string;
  const resolved = format as ImageFormat;
  const mimeType = IMAGE_MIME_TYPES[resolved];
  const prefixLength = 13 + mimeType.length; // "data:" + mimeType + ";base64,"
  const src = `data:${mimeType};base64,${data}`;
  const frame = { ...common, mimeType, src, byteLength: base64ByteLength(data) };
  // `b64` is read back out of `src`, so that once the browser has flattened `src` one copy of
  // the megabytes stays in memory rather than two.
  Object.defineProperty(frame, 'b64', { enumerable: true, get: () => src.slice(prefixLength) });
  return {
    ok: true,
    frame: Object.freeze(frame) as PartialImageFrame,
    format: resolved,
    size: input.size ?? input.detected?.size ?? null,
  };
}

/** The final frame made of an item's newest preview (`image.settled`): the same image. @internal */
export function settleFrame(preview: PartialImageFrame, receivedAt: number): PartialImageFrame {
  const frame = {
    index: preview.index + 1,
    isFinal: true,
    sequenceNumber: preview.sequenceNumber,
    receivedAt,
    mimeType: preview.mimeType,
    src: preview.src,
    byteLength: preview.byteLength,
  };
  const { src } = preview;
  // A base64 frame's `b64` is a getter; reading it would flatten `src`, so it is not read here.
  if (Object.getOwnPropertyDescriptor(preview, 'b64')?.get === undefined) {
    return Object.freeze({ ...frame, b64: preview.b64 });
  }
  const prefixLength = 13 + preview.mimeType.length; // "data:" + mimeType + ";base64,"
  Object.defineProperty(frame, 'b64', { enumerable: true, get: () => src.slice(prefixLength) });
  return Object.freeze(frame) as PartialImageFrame;
}
