import * as React from 'react';
import type { PartialImagesSource } from '../core/consume';
import type { PartialImageItem, PartialImagesState } from '../core/state';
import type { PartialImagesStore } from '../core/store';
import { ProgressiveImage, type ProgressiveImageProps } from './ProgressiveImage';
import {
  type UsePartialImagesOptions,
  usePartialImage,
  usePartialImageIds,
  usePartialImages,
  usePartialImagesSelector,
} from './usePartialImages';

/** Props of {@link PartialImageGallery}. Other props go to the root `<div>`. */
export interface PartialImageGalleryProps
  extends Omit<React.HTMLAttributes<HTMLDivElement>, 'children'> {
  /** What to stream (as for `usePartialImages`); or pass `store`. */
  source?: PartialImagesSource | null | undefined;
  /** A store already fed elsewhere (e.g. by `usePartialImages`). */
  store?: PartialImagesStore | undefined;
  /** Options for the gallery's own `usePartialImages`, when it is given a `source`. */
  options?: UsePartialImagesOptions | undefined;
  /** Props for every `<ProgressiveImage>` (crossfade, srcMode, placeholder, …). */
  imageProps?: Omit<ProgressiveImageProps, 'item' | 'store' | 'id'> | undefined;
  /** A caption or actions under each image (download, open full size). */
  renderCaption?: ((item: PartialImageItem) => React.ReactNode) | undefined;
  /** The gap between images (CSS length). @defaultValue '0.5rem' */
  gap?: string | undefined;
}

/** Grid columns for `count` images: 1, 2, 2 (the first spans both), 2×2, then 3 per row. */
function columns(count: number) {
  return count <= 1 ? 1 : count <= 4 ? 2 : 3;
}

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

function GalleryGrid(
  props: Omit<PartialImageGalleryProps, 'source' | 'store' | 'options'> & {
    store: PartialImagesStore;
    forwardedRef: React.ForwardedRef<HTMLDivElement>;
  },
) {
  const { store, forwardedRef, imageProps, renderCaption, gap = '0.5rem', style, ...rest } = props;
  const ids = usePartialImageIds(store);
  const waiting = usePartialImagesSelector(
    store,
    (state: PartialImagesState) => state.status === 'streaming' && state.items.length === 0,
  );
  const size = usePartialImagesSelector(store, (state) => state.toolDefaults.size);
  const count = ids.length;
  return (
    <div
      ref={forwardedRef}
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
      {waiting ? (
        <ProgressiveImage
          {...imageProps}
          item={null}
          aspectRatio={size ? `${size.width} / ${size.height}` : imageProps?.aspectRatio}
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
}

function GalleryWithSource(
  props: PartialImageGalleryProps & { forwardedRef: React.ForwardedRef<HTMLDivElement> },
) {
  const { source, options, store: _store, ...rest } = props;
  const { store } = usePartialImages(source, options);
  return <GalleryGrid {...rest} store={store} />;
}

/**
 * Every image of a response, in order, each a {@link ProgressiveImage}: the drop-in for a chat
 * message. Give it a `source` to stream, or the `store` of a `usePartialImages` you already have.
 * The layout suits 1 to 4 images (1; 2 side by side; 3 with the first on top; 2×2). A frame for
 * one image re-renders that image only.
 *
 * @example
 * ```tsx
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
  if (props.store) {
    const { source: _source, options: _options, store, ...rest } = props;
    return <GalleryGrid {...rest} store={store} forwardedRef={ref} />;
  }
  return <GalleryWithSource {...props} forwardedRef={ref} />;
});
PartialImageGallery.displayName = 'PartialImageGallery';
