import * as React from 'react';
import type { PartialImageItem, PartialImagesState } from '../core/state';
import type { PartialImagesStore } from '../core/store';
import { ProgressiveImage, type ProgressiveImageProps } from './ProgressiveImage';
import { usePartialImage, usePartialImageIds } from './usePartialImages';
import { useStoreSelector } from './useStoreSelector';

/** Props of {@link PartialImageGallery}. Other props go to the root `<div>`. */
export interface PartialImageGalleryProps
  extends Omit<React.HTMLAttributes<HTMLDivElement>, 'children'> {
  /** The store to show: `usePartialImages(source).store`. */
  store: PartialImagesStore;
  /** Props for every `<ProgressiveImage>` (crossfade, srcMode, placeholder, …). */
  imageProps?: Omit<ProgressiveImageProps, 'item'> | undefined;
  /** A caption or actions under each image (download, open full size). */
  renderCaption?: ((item: PartialImageItem) => React.ReactNode) | undefined;
  /** The gap between images (CSS length). @defaultValue '0.5rem' */
  gap?: string | undefined;
}

/** Grid columns for `count` images: 1, 2, 2 (the first spans both), 2×2, then 3 per row. */
function columns(count: number) {
  return count <= 1 ? 1 : count <= 4 ? 2 : 3;
}

/**
 * The waiting box's aspect ratio while the response streams with no image yet (`''` when the
 * tool's size is unknown), else `null`: one string, so that the gallery re-renders only when it
 * changes.
 */
const waitingAspect = (state: PartialImagesState): string | null => {
  if (state.status !== 'streaming' || state.items.length > 0) return null;
  const size = state.toolDefaults.size;
  return size ? `${size.width} / ${size.height}` : '';
};

const Cell = React.memo(function Cell(props: {
  store: PartialImagesStore;
  id: string;
  span: boolean;
  imageProps: PartialImageGalleryProps['imageProps'];
  renderCaption: PartialImageGalleryProps['renderCaption'];
}) {
  const item = usePartialImage(props.store, props.id);
  if (!item) return null;
  const caption = props.renderCaption?.(item);
  return (
    <figure
      data-part="gallery-item"
      style={{ margin: 0, minWidth: 0, gridColumn: props.span ? '1 / -1' : undefined }}
    >
      <ProgressiveImage {...props.imageProps} item={item} />
      {caption !== undefined && caption !== null ? <figcaption>{caption}</figcaption> : null}
    </figure>
  );
});

/**
 * Every image of a response, in order, each a {@link ProgressiveImage}: the drop-in for a chat
 * message. The layout suits 1 to 4 images (1; 2 side by side; 3 with the first on top; 2×2).
 * A frame for one image re-renders that image only; before the first image exists, one box of the
 * tool's size waits in its place.
 *
 * @example
 * ```tsx
 * const { store } = usePartialImages(source)
 * <PartialImageGallery
 *   store={store}
 *   imageProps={{ crossfade: true }}
 *   renderCaption={(item) => item.final && <a href={item.final.src} download>Download</a>}
 * />
 * ```
 */
export const PartialImageGallery = /* @__PURE__ */ React.forwardRef<
  HTMLDivElement,
  PartialImageGalleryProps
>(function PartialImageGallery(props, ref) {
  const { store, imageProps, renderCaption, gap = '0.5rem', style, ...rest } = props;
  const ids = usePartialImageIds(store);
  const waiting = useStoreSelector(store, waitingAspect);
  const count = ids.length;
  return (
    <div
      ref={ref}
      data-part="gallery"
      data-count={count}
      {...rest}
      style={{
        display: 'grid',
        gridTemplateColumns: `repeat(${columns(count)}, minmax(0, 1fr))`,
        gap,
        ...style,
      }}
    >
      {waiting !== null ? (
        <ProgressiveImage
          {...imageProps}
          item={null}
          aspectRatio={waiting || imageProps?.aspectRatio}
          data-part="gallery-waiting"
        />
      ) : null}
      {ids.map((id, index) => (
        <Cell
          key={id}
          store={store}
          id={id}
          span={count === 3 && index === 0}
          imageProps={imageProps}
          renderCaption={renderCaption}
        />
      ))}
    </div>
  );
});
PartialImageGallery.displayName = 'PartialImageGallery';
