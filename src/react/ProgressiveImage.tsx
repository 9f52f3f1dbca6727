import * as React from 'react';
import type { PartialImagesError } from '../core/errors';
import type { ItemStatus, PartialImageFrame, PartialImageItem } from '../core/state';
import { type FrameSrcMode, useFrameSwap } from './useFrameSwap';
import { usePrefersReducedMotion } from './usePrefersReducedMotion';

/** What the component shows, as its `data-state`: the item's status, or `idle` without one. */
export type ProgressiveImageState = ItemStatus | 'idle';

/** Props of {@link ProgressiveImage}. Other props go to the root `<div>`. */
export interface ProgressiveImageProps
  extends Omit<React.HTMLAttributes<HTMLDivElement>, 'children' | 'placeholder'> {
  /**
   * The image to show: an item of `usePartialImages().items`, of `usePartialImage(store, id)`, or
   * of `useUIMessageImages(message)`.
   */
  item?: PartialImageItem | null | undefined;
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
   * @defaultValue a short message, readable over any image
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
   * `data-url` puts `frame.src` in the `<img>`; `object-url` hands the browser a Blob URL made
   * from the bytes the parsing Worker already decoded (cheaper for large frames). Object URLs are
   * revoked when the frame is replaced or the component unmounts.
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

function boxAspectRatio(
  props: Pick<ProgressiveImageProps, 'aspectRatio' | 'width' | 'height'>,
  item: PartialImageItem | null | undefined,
) {
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
  // An opaque dark pill with white text (about 17:1) stays readable over any frame, light or
  // dark; a translucent band over the image would not.
  return (
    <div
      data-part="error"
      style={{
        position: 'absolute',
        inset: 0,
        display: 'flex',
        alignItems: hasFrame ? 'flex-end' : 'center',
        justifyContent: 'center',
        padding: '0.5em',
        background: hasFrame ? undefined : 'rgba(128, 128, 128, 0.18)',
      }}
    >
      <span
        style={{
          maxWidth: '100%',
          padding: '0.3em 0.8em',
          borderRadius: '1em',
          fontSize: '0.875em',
          lineHeight: 1.4,
          textAlign: 'center',
          color: '#fff',
          background: '#111827',
        }}
      >
        This image could not be generated.
      </span>
    </div>
  );
}

function setAttribute(element: Element, name: string, value: string | null) {
  if (value === null) element.removeAttribute(name);
  else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/** The elements the presenter's `paint` writes. */
interface Parts {
  root: HTMLDivElement | null;
  region: HTMLSpanElement | null;
  placeholder: HTMLDivElement | null;
  readonly regionRef: (element: HTMLSpanElement | null) => void;
  readonly placeholderRef: (element: HTMLDivElement | null) => void;
}

function makeParts(): Parts {
  const parts: Parts = {
    root: null,
    region: null,
    placeholder: null,
    regionRef: (element) => {
      parts.region = element;
    },
    placeholderRef: (element) => {
      parts.placeholder = element;
    },
  };
  return parts;
}

const bump = (n: number) => n + 1;

/**
 * The root's ref callback. A hook of its own: the callback React keeps from the first render
 * shares a scope with nothing that holds an item (see `useFrameSwap`).
 */
function useRootRef(
  parts: Parts,
  rootRef: (element: HTMLElement | null) => void,
  ref: React.ForwardedRef<HTMLDivElement>,
) {
  return React.useCallback(
    (element: HTMLDivElement | null) => {
      parts.root = element;
      rootRef(element);
      if (typeof ref === 'function') ref(element);
      else if (ref) ref.current = element;
    },
    [ref, rootRef, parts],
  );
}

/**
 * Renders an image item's newest frame, swapping frames without flicker or layout shift.
 *
 * - A new frame is decoded off screen and only then replaces the one on screen; an optional
 *   crossfade honours `prefers-reduced-motion`.
 * - The box is reserved from `item.size` (or `width` / `height` / `aspectRatio`) before any
 *   frame, with a placeholder, and keeps its size as frames arrive.
 * - `data-state` is the item status (`idle`, `pending`, `generating`, `partial`, `completed`,
 *   `failed`); once a frame is on screen, `data-partial-index` is the preview's index and
 *   `data-final` marks the final image. `aria-busy` is set while it generates, and a visually
 *   hidden live region announces progress.
 * - One React commit per frame: the swap after decoding writes a few styles, not a render.
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
    item,
    alt,
    width,
    height,
    aspectRatio,
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
  const reduced = usePrefersReducedMotion();
  const crossfadeMs = reduced ? 0 : crossfade === true ? 200 : crossfade === false ? 0 : crossfade;
  const status: ProgressiveImageState = item ? item.status : 'idle';
  const busy = status === 'pending' || status === 'generating' || status === 'partial';
  const text = alt ?? item?.revisedPrompt ?? 'Generated image';

  // One render once the final image is on screen (see `onSettled`).
  const [, settle] = React.useReducer(bump, 0);
  // One holder for the elements `paint` writes (a gallery of hundreds of images keeps these
  // hooks), and its ref callbacks, made once, by a module function.
  const [parts] = React.useState(makeParts);
  const { live, showing, rootRef } = useFrameSwap(item?.latest ?? null, {
    onSettled: settle,
    mode: srcMode,
    crossfadeMs,
    onShown: onFrameShown,
    onError: onFrameError,
    // What depends on the frame on screen, which changes between renders, is written here only.
    paint(shown) {
      const box = parts.root;
      if (box) {
        setAttribute(
          box,
          'data-partial-index',
          shown && !shown.isFinal ? String(shown.index) : null,
        );
        setAttribute(box, 'data-final', shown?.isFinal ? '' : null);
      }
      if (parts.placeholder) parts.placeholder.style.display = shown ? 'none' : '';
      const message = announcement(item, shown, partialImages);
      if (parts.region && parts.region.textContent !== message) {
        parts.region.textContent = message;
      }
    },
  });
  const composedRef = useRootRef(parts, rootRef, ref);

  let errorSlot: React.ReactNode = null;
  if (status === 'failed' && item) {
    errorSlot =
      typeof errorFallback === 'function' ? (
        errorFallback(item.error, item)
      ) : errorFallback !== undefined ? (
        errorFallback
      ) : (
        <DefaultError hasFrame={item.latest !== null} />
      );
  }

  return (
    <div
      ref={composedRef}
      data-state={status}
      aria-busy={busy || undefined}
      {...rest}
      style={{
        position: 'relative',
        overflow: 'hidden',
        aspectRatio: boxAspectRatio({ aspectRatio, width, height }, item),
        width: toCss(width),
        height: toCss(height),
        ...style,
      }}
    >
      {/* Until a frame is on screen; the swap hides it at once, the next render removes it. */}
      {placeholder !== null && !showing ? (
        <div ref={parts.placeholderRef} data-part="placeholder" aria-hidden style={fill}>
          {placeholder === undefined ? <Skeleton /> : placeholder}
        </div>
      ) : null}
      {live.map((entry) => (
        <img
          key={entry.key}
          decoding="async"
          draggable={false}
          {...imgProps}
          src={entry.src}
          alt={text}
          data-part="frame"
          data-frame-key={entry.key}
          data-frame-index={entry.index}
          style={{ ...fill, objectFit: 'contain', ...imgProps?.style }}
        />
      ))}
      {errorSlot !== null ? (
        <div data-part="error-slot" style={{ ...fill, zIndex: 3, pointerEvents: 'none' }}>
          {errorSlot}
        </div>
      ) : null}
      <span
        ref={parts.regionRef}
        data-part="status"
        aria-live="polite"
        aria-atomic="true"
        style={visuallyHidden}
      />
    </div>
  );
});
ProgressiveImage.displayName = 'ProgressiveImage';
