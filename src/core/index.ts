/**
 * `react-partial-images/core`: everything that does not need React.
 * Nothing under `src/core` imports React; a test proves it.
 */

export { base64ToBytes, frameToBlob } from './blob';
export type { PartialImagesSource, StreamSource } from './consume';
export type { PartialImagesErrorCode, PartialImagesErrorDetails } from './errors';
export { isPartialImagesError, PartialImagesError } from './errors';
export type {
  DeclaredImageFields,
  FinalImage,
  ImageAddedEvent,
  ImageFailedEvent,
  ImageFinalEvent,
  ImagePartialEvent,
  ImageProgressEvent,
  PartialImageEvent,
  PartialImageEventType,
  ProviderErrorEvent,
  ResponseCompletedEvent,
  ResponseCreatedEvent,
  ResponseFailedEvent,
  ResponseIncompleteEvent,
  StreamEndEvent,
  StreamErrorEvent,
} from './events';
export { normalizeEvent } from './events';
export type { ImageFormat, ImageSize } from './mime';
export {
  IMAGE_MIME_TYPES,
  parseImageSize,
  sniffImageFormat,
  sniffImageSize,
  toImageFormat,
} from './mime';
export type { ReduceOptions } from './reducer';
export { DEFAULT_MAX_FRAME_BYTES, reducePartialImages } from './reducer';
export type { ParseSSEOptions, SSEMessage } from './sse';
export { parseSSE } from './sse';
export type { PartialImageFrame, PartialImageItem, PartialImagesState } from './state';
export { ItemStatus, initialPartialImagesState, isTerminalStatus, ResponseStatus } from './state';
export type {
  ConsumeOptions,
  PartialImagesListener,
  PartialImagesStore,
  PartialImagesStoreOptions,
  ResumeContext,
} from './store';
export { createPartialImagesStore } from './store';
