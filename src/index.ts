/**
 * `react-partial-images`: the React bindings. The build prefixes this entry with `'use client'`,
 * so it is for client components; server code (route handlers, server components) imports
 * `react-partial-images/core` or `react-partial-images/server`. The core's types are
 * re-exported here for convenience (types cost nothing at run time); its functions and its error
 * class are not (`PartialImagesError` here is the type, for annotations; `instanceof` needs the
 * class from `/core`).
 *
 * Each type is named, not `export type *`: bundled declarations would turn that into value
 * exports, and `createPartialImagesStore` imported from here would type-check and then be
 * `undefined`.
 */

export type {
  ConsumeOptions,
  FinalImage,
  ImageFormat,
  ImageSize,
  ItemStatus,
  ParseSSEOptions,
  PartialImageEvent,
  PartialImageEventType,
  PartialImageFrame,
  PartialImageItem,
  PartialImagesErrorCode,
  PartialImagesErrorDetails,
  PartialImagesListener,
  PartialImagesSource,
  PartialImagesState,
  PartialImagesStore,
  PartialImagesStoreOptions,
  ReduceOptions,
  ResponseStatus,
  ResumeContext,
  SSEMessage,
  StreamSource,
  WorkerOption,
} from './core/index';

import type { PartialImagesError as ErrorClass } from './core/errors';
/**
 * The error in `state.error` and `item.error` (the class is `PartialImagesError` from `/core`).
 * A type alias here, so that it stays a type in the bundled declarations.
 */
export type PartialImagesError = ErrorClass;
export type { PartialImageGalleryProps } from './react/PartialImageGallery';
export { PartialImageGallery } from './react/PartialImageGallery';
export type { ProgressiveImageProps, ProgressiveImageState } from './react/ProgressiveImage';
export { ProgressiveImage } from './react/ProgressiveImage';
export type { FrameSrcMode } from './react/useFrameSwap';
export type { UsePartialImagesOptions, UsePartialImagesResult } from './react/usePartialImages';
export { usePartialImage, usePartialImageIds, usePartialImages } from './react/usePartialImages';
export type { UIMessageLike, UseUIMessageImagesOptions } from './react/useUIMessageImages';
export { useUIMessageImages } from './react/useUIMessageImages';
