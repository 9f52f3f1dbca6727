/**
 * `react-partial-images`: the React bindings, plus everything in `react-partial-images/core`.
 * The build prefixes this entry with `'use client'`.
 */

export * from './core/index';
export type { PartialImageGalleryProps } from './react/PartialImageGallery';
export { PartialImageGallery } from './react/PartialImageGallery';
export type { ProgressiveImageProps, ProgressiveImageState } from './react/ProgressiveImage';
export { ProgressiveImage } from './react/ProgressiveImage';
export type { FrameSrcMode } from './react/useFrameSwap';
export type { UsePartialImagesOptions, UsePartialImagesResult } from './react/usePartialImages';
export {
  usePartialImage,
  usePartialImageIds,
  usePartialImages,
  usePartialImagesSelector,
} from './react/usePartialImages';
