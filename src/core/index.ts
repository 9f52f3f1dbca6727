/**
 * `react-partial-images/core`: everything that does not need React. Server code (a route
 * handler, a server component) imports this entry (or `/server`), never the root one.
 * Nothing under `src/core` imports React; a test proves it.
 */

export { frameToBlob } from './blob';
export type { PartialImagesErrorCode, PartialImagesErrorDetails } from './errors';
export { PartialImagesError } from './errors';
export type { FinalImage, PartialImageEvent, PartialImageEventType } from './events';
export type { ImageFormat, ImageSize } from './mime';
export { normalizeEvent } from './normalize';
export type { WorkerOption } from './pipeline';
export type { ReduceOptions } from './reducer';
export { reducePartialImages } from './reducer';
export type { PartialImagesSource, StreamSource } from './source';
export type { ParseSSEOptions, SSEMessage } from './sse';
export { parseSSE } from './sse';
export type {
  ItemStatus,
  PartialImageFrame,
  PartialImageItem,
  PartialImagesState,
  ResponseStatus,
} from './state';
export { initialPartialImagesState } from './state';
export type {
  ConsumeOptions,
  PartialImagesListener,
  PartialImagesStore,
  PartialImagesStoreOptions,
  ResumeContext,
} from './store';
export { createPartialImagesStore } from './store';
