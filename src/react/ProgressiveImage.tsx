import * as React from 'react';
import type { PartialImagesError } from '../core/errors';
import type { ItemStatus, PartialImageFrame, PartialImageItem } from '../core/state';
import type { PartialImagesStore } from '../core/store';
import { type FrameSrcMode, useFrameSwap } from './useFrameSwap';
import { usePartialImage } from './usePartialImages';
import { usePrefersReducedMotion } from './usePrefersReducedMotion';

/** What the component shows, as its `data-state`: the item's status, or `idle` without one. */
export type ProgressiveImageState = ItemStatus | 'idle';

/** Props of {@link ProgressiveImage}. Other props go to the root `<div>`. */
export interface ProgressiveImageProps
  extends Omit<React.HTMLAttributes<HTMLDivElement>, 'children' | 'placeholder'> {
  /** The image to show, from `usePartialImages().items`. */
  item?: PartialImageItem | null | undefined;
  /** Or a store and an item id: the component then re-renders only for that item. */
  store?: PartialImagesStore | undefined;
  /** The item id to read from `store`. */
  id?: string | undefined;
  /** The image's text alternative. @defaultValue the revised prompt, else "Generated image" */
  alt?: string | undefined;
  /** The box width (a number is px). With `height`, also fixes the aspect ratio. */
  width?: number | string | undefined;
  /** The box height (a number is px). */
  height?: number | string | undefined;
  /**
   * The box's aspect ratio before the first frame, e.g. `3 / 2` or `"3 / 2"`.
   * @defaultValue from `item.size` (the provider's `"1536x1024"`), else 1
   */
  aspectRatio?: number | string | undefined;
  /** Shown until the first frame is on screen. `null` shows nothing. @defaultValue a skeleton */
  placeholder?: React.ReactNode | undefined;
  /**
   * Shown when the item failed; the last frame, if any, stays under it.
   * @defaultValue a short message
   */
  errorFallback?:
    | React.ReactNode
    | ((error: PartialImagesError | null, item: PartialImageItem) => React.ReactNode)
    | undefined;
  /**
   * Fade each new frame in over the previous one: `true` (200 ms) or a duration in ms.
   * Always off when the user prefers reduced motion.
   * @defaultValue false
   */
  crossfade?: boolean | number | undefined;
  /**
   * `data-url` puts `frame.src` in the `<img>`; `object-url` hands the browser a Blob URL, which
   * it decodes off the main thread (cheaper for large frames); URLs are revoked when the frame is
   * replaced or the component unmounts.
   * @defaultValue 'data-url'
   */
  srcMode?: FrameSrcMode | undefined;
  /** How many previews you asked for (`partial_images`), for "Preview 2 of 3". */
  partialImages?: number | undefined;
  /** Props for the `<img>` elements (not `src` or `alt`). */
  imgProps?: Omit<React.ImgHTMLAttributes<HTMLImageElement>, 'src' | 'alt'> | undefined;
  /** Called when a frame is on screen (decoded and swapped in). */
  onFrameShown?: ((frame: PartialImageFrame) => void) | undefined;
  /** Called when a frame cannot be decoded; the previous frame stays. */
  onFrameError?: ((frame: PartialImageFrame) => void) | undefined;
}

const fill: React.CSSProperties = {
  position: 'absolute',
  inset: 0,
  width: '100%',
  height: '100%',
};

const visuallyHidden: React.CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  border: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

function toCss(value: number | string | undefined) {
  return typeof value === 'number' ? `${value}px` : value;
}

function boxAspectRatio(props: ProgressiveImageProps, item: PartialImageItem | null | undefined) {
  if (props.aspectRatio !== undefined) return String(props.aspectRatio);
  if (typeof props.width === 'number' && typeof props.height === 'number') {
    return `${props.width} / ${props.height}`;
  }
  const size = item?.size;
  return size ? `${size.width} / ${size.height}` : '1 / 1';
}

function announcement(
  item: PartialImageItem | null | undefined,
  shown: PartialImageFrame | null,
  total: number | undefined,
): string {
  if (!item) return '';
  if (item.status === 'failed') return 'Image failed.';
  if (shown?.isFinal) return 'Image ready.';
  if (shown) return `Preview ${shown.index + 1}${total ? ` of ${total}` : ''}.`;
  return 'Generating image…';
}

function Skeleton() {
  const ref = React.useRef<HTMLDivElement>(null);
  const reduced = usePrefersReducedMotion();
  React.useEffect(() => {
    const element = ref.current;
    if (reduced || !element || typeof element.animate !== 'function') return;
    const animation = element.animate([{ opacity: 1 }, { opacity: 0.55 }, { opacity: 1 }], {
      duration: 1600,
      iterations: Number.POSITIVE_INFINITY,
    });
    return () => animation.cancel();
  }, [reduced]);
  return (
    <div
      ref={ref}
      data-part="skeleton"
      style={{ ...fill, background: 'rgba(128, 128, 128, 0.18)', borderRadius: 'inherit' }}
    />
  );
}

function DefaultError({ hasFrame }: { hasFrame: boolean }) {
  return (
    <div
      data-part="error"
      style={{
        position: 'absolute',
        left: 0,
        right: 0,
        bottom: 0,
        ...(hasFrame ? {} : { top: 0 }),
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        padding: '0.5em',
        fontSize: '0.875em',
        color: '#fff',
        background: hasFrame ? 'rgba(0, 0, 0, 0.6)' : 'rgba(128, 128, 128, 0.35)',
      }}
    >
      This image could not be generated.
    </div>
  );
}

function setAttribute(element: Element, name: string, value: string | null) {
  if (value === null) element.removeAttribute(name);
  else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

let emptyStore: PartialImagesStore | null = null;

/**
 * Renders an image item's newest frame, swapping frames without flicker or layout shift.
 *
 * - A new frame is decoded off screen and only then replaces the one on screen; an optional
 *   crossfade honours `prefers-reduced-motion`.
 * - The box is reserved from `item.size` (or `width` / `height` / `aspectRatio`) before any
 *   frame, with a placeholder, and keeps its size as frames arrive.
 * - `data-state` is the item status (`idle`, `pending`, `generating`, `partial`, `completed`,
 *   `failed`), `data-partial-index` the index of the frame on screen; `aria-busy` is set while it
 *   generates, and a visually hidden live region announces progress.
 * - Ships no CSS: inline styles only; `className` and `style` apply to the root `<div>`, which
 *   also gets the ref and any other prop.
 *
 * @example
 * ```tsx
 * <ProgressiveImage item={item} className="rounded-lg" crossfade />
 * ```
 */
export const ProgressiveImage = /* @__PURE__ */ React.forwardRef<
  HTMLDivElement,
  ProgressiveImageProps
>(function ProgressiveImage(props, ref) {
  const {
    item: itemProp,
    store,
    id,
    alt,
    width,
    height,
    aspectRatio: _aspectRatio,
    placeholder,
    errorFallback,
    crossfade = false,
    srcMode = 'data-url',
    partialImages,
    imgProps,
    onFrameShown,
    onFrameError,
    style,
    ...rest
  } = props;
  if (store === undefined && id !== undefined) {
    throw new TypeError('`<ProgressiveImage id>` needs a `store` too; did you mean `item`?');
  }
  // Always call the hook; without a store it reads an empty one.
  emptyStore ??= createEmptyStore();
  const fromStore = usePartialImage(store ?? emptyStore, id ?? '');
  const item = store ? fromStore : itemProp;

  const reduced = usePrefersReducedMotion();
  const crossfadeMs = reduced ? 0 : crossfade === true ? 200 : crossfade === false ? 0 : crossfade;
  const status: ProgressiveImageState = item ? item.status : 'idle';
  const busy = status === 'pending' || status === 'generating' || status === 'partial';
  const text = alt ?? item?.revisedPrompt ?? 'Generated image';
  const failed = status === 'failed';

  const root = React.useRef<HTMLDivElement | null>(null);
  const status_ = React.useRef<HTMLSpanElement | null>(null);
  const placeholderRef = React.useRef<HTMLDivElement | null>(null);
  const announce = React.useRef({ item, partialImages });
  announce.current = { item, partialImages };
  // What depends on the frame on screen is also written by the swap itself, which happens
  // between renders: the data attributes, the placeholder, the live region and the alt texts.
  const paint = React.useCallback(
    (shown: PartialImageFrame | null) => {
      const box = root.current;
      if (box) {
        setAttribute(
          box,
          'data-partial-index',
          shown && !shown.isFinal ? String(shown.index) : null,
        );
        setAttribute(box, 'data-final', shown?.isFinal ? '' : null);
        for (const image of box.querySelectorAll<HTMLImageElement>('img[data-part="frame"]')) {
          image.alt = image.getAttribute('aria-hidden') === 'true' ? '' : text;
        }
      }
      if (placeholderRef.current) placeholderRef.current.style.display = shown ? 'none' : '';
      const region = status_.current;
      const message = announcement(announce.current.item, shown, announce.current.partialImages);
      if (region && region.textContent !== message) region.textContent = message;
    },
    [text],
  );
  const { slots, refs, shown } = useFrameSwap(item?.latest ?? null, {
    mode: srcMode,
    crossfadeMs,
    onShown: onFrameShown,
    onError: onFrameError,
    paint,
    settled: status === 'completed' || status === 'failed',
  });
  const composedRef = React.useCallback(
    (element: HTMLDivElement | null) => {
      root.current = element;
      if (typeof ref === 'function') ref(element);
      else if (ref) ref.current = element;
    },
    [ref],
  );

  let errorSlot: React.ReactNode = null;
  if (failed && item) {
    errorSlot =
      typeof errorFallback === 'function' ? (
        errorFallback(item.error, item)
      ) : errorFallback !== undefined ? (
        errorFallback
      ) : (
        <DefaultError hasFrame={shown !== null} />
      );
  }

  return (
    <div
      ref={composedRef}
      data-state={status}
      data-partial-index={shown && !shown.isFinal ? shown.index : undefined}
      data-final={shown?.isFinal ? '' : undefined}
      aria-busy={busy || undefined}
      {...rest}
      style={{
        position: 'relative',
        overflow: 'hidden',
        aspectRatio: boxAspectRatio(props, item),
        width: toCss(width),
        height: toCss(height),
        ...style,
      }}
    >
      {placeholder !== null ? (
        <div
          ref={placeholderRef}
          data-part="placeholder"
          aria-hidden
          style={{ ...fill, display: shown ? 'none' : undefined }}
        >
          {placeholder === undefined ? <Skeleton /> : placeholder}
        </div>
      ) : null}
      {slots.map((slot) => (
        <img
          key={slot.name}
          ref={refs[slot.name]}
          decoding="async"
          draggable={false}
          {...imgProps}
          src={slot.src}
          alt={slot.front ? text : ''}
          aria-hidden={slot.front ? undefined : true}
          data-part="frame"
          data-frame-index={slot.frame.index}
          style={{
            ...fill,
            objectFit: 'contain',
            ...imgProps?.style,
            opacity: slot.opacity,
            zIndex: slot.zIndex,
          }}
        />
      ))}
      {errorSlot !== null ? (
        <div data-part="error-slot" style={{ ...fill, zIndex: 3, pointerEvents: 'none' }}>
          {errorSlot}
        </div>
      ) : null}
      {/* Written by paint(), never by React, so an announcement needs no re-render. */}
      <span
        ref={status_}
        data-part="status"
        aria-live="polite"
        aria-atomic="true"
        style={visuallyHidden}
      />
    </div>
  );
});
ProgressiveImage.displayName = 'ProgressiveImage';

function createEmptyStore(): PartialImagesStore {
  const state = {
    status: 'idle',
    items: [],
    error: null,
    responseId: null,
    lastSequenceNumber: null,
    toolDefaults: { format: null, size: null },
  } as const;
  return {
    getState: () => state,
    getInitialState: () => state,
    subscribe: () => () => {},
    dispatch: () => {},
    consume: async () => {},
    abort: () => {},
    reset: () => {},
    options: {},
  };
}
