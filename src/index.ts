/**
 * `react-partial-images`: the React bindings. The build prefixes this entry with `'use client'`,
 * so it is for client components; server code (route handlers, server components) imports
 * `react-partial-images/core` or `react-partial-images/server`. The core's types are
 * re-exported here for convenience (types cost nothing at run time).
 */

export type * from './core/index';
export type { PartialImageGalleryProps } from './react/PartialImageGallery';
export { PartialImageGallery } from './react/PartialImageGallery';
export type { ProgressiveImageProps, ProgressiveImageState } from './react/ProgressiveImage';
export { ProgressiveImage } from './react/ProgressiveImage';
export type { FrameSrcMode } from './react/useFrameSwap';
export type { UsePartialImagesOptions, UsePartialImagesResult } from './react/usePartialImages';
export { usePartialImage, usePartialImageIds, usePartialImages } from './react/usePartialImages';
export type { UIMessageLike, UseUIMessageImagesOptions } from './react/useUIMessageImages';
export { useUIMessageImages } from './react/useUIMessageImages';
