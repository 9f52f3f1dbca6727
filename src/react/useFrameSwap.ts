import * as React from 'react';
import { frameBlobDemand, takeFrameBlob } from '../core/blob';
import type { PartialImageFrame } from '../core/state';

/** How a frame gets into `<img src>`. */
export type FrameSrcMode = 'data-url' | 'object-url';

/**
 * Double-buffered frames, decoded before they are shown, with one React commit per frame.
 *
 * Who writes what (each attribute has one writer):
 * - React renders one `<img>` per live frame (the one on screen, and the newest, at most two),
 *   keyed per frame, with its `alt` and, for a frame known when a server rendered the component,
 *   its `src`.
 * - The presenter below, after each commit and after each decode, writes everything that
 *   changes between renders: every other `src` (a data URL, or an object URL made from the
 *   Worker's Blob), the images' `opacity`, `z-index` and `aria-hidden`, and, through `paint`, the
 *   root's frame attributes. A decoded frame is swapped in by those writes alone: no render.
 *
 * The presenter is an external store read with `useSyncExternalStore`: a render reads which
 * frame is on screen from its snapshot, and it never asks for a render (a swap needs none; the
 * next frame's render reads the new snapshot).
 */

const FRAME_SELECTOR = 'img[data-part="frame"]';

/**
 * What a render reads from the presenter: the key of the frame on screen, or `null`. A string,
 * not the frame: React keeps the last snapshot on the fiber it alternates with, and a frame held
 * there would keep its base64 alive after the presenter let it go.
 */
type Snapshot = string | null;

interface Loaded {
  frame: PartialImageFrame;
  src: string;
  revoke: () => void;
}

/** Options of {@link useFrameSwap}. */
export interface FrameSwapOptions {
  mode: FrameSrcMode;
  /** Fade-in duration for a new frame, in ms; 0 swaps at once. */
  crossfadeMs: number;
  onShown?: ((frame: PartialImageFrame) => void) | undefined;
  onError?: ((frame: PartialImageFrame) => void) | undefined;
  /** Brings the DOM outside the images (data attributes, status text) up to date. */
  paint: (shown: PartialImageFrame | null) => void;
  /**
   * The final frame is on screen: no frame will follow. The component renders once more then,
   * so that React's other copy of its props (the fiber it alternates with) lets the previews go.
   */
  onSettled?: (() => void) | undefined;
}

class Presenter {
  snapshot: Snapshot;
  /** The frame on screen (its key is the snapshot). */
  current: PartialImageFrame | null;
  /** The frame rendered with a `src` by React (a server-rendered or hydrated one), if any. */
  readonly rendered: PartialImageFrame | null;
  /** What each element holds, as the presenter set it. */
  private readonly loaded = new Map<HTMLImageElement, Loaded>();
  private decoding: HTMLImageElement | null = null;
  private fade: Animation | null = null;
  private leaving: HTMLImageElement | null = null;
  private countsDemand = false;
  /** The last frame `onShown` was called for. */
  private announced: PartialImageFrame | null = null;
  disposed = false;
  root: HTMLElement | null = null;
  options!: FrameSwapOptions;

  constructor(initial: PartialImageFrame | null, hydrating: boolean) {
    // A frame known at the first render (server rendering, hydration, a remount) is on screen
    // at once; when a server rendered it, React writes its `src` so the HTML shows it.
    this.current = initial;
    this.snapshot = initial === null ? null : keyOf(initial);
    this.rendered = hydrating ? initial : null;
  }

  readonly subscribe = () => () => {};
  readonly getSnapshot = () => this.snapshot;

  private set(shown: PartialImageFrame | null) {
    this.current = shown;
    this.snapshot = shown === null ? null : keyOf(shown);
  }

  /** The frame on screen as of `snapshot` (a render's), or `null`. */
  shownAt(snapshot: Snapshot): PartialImageFrame | null {
    return snapshot !== null && snapshot === this.snapshot ? this.current : null;
  }

  private images(): HTMLImageElement[] {
    return this.root
      ? Array.from(this.root.querySelectorAll<HTMLImageElement>(FRAME_SELECTOR))
      : [];
  }

  /** The frame an element is for (React's `data-frame-key`), from the live list. */
  private frameOf(element: HTMLImageElement, live: readonly LiveFrame[]): PartialImageFrame | null {
    const key = element.getAttribute('data-frame-key');
    return live.find((entry) => entry.key === key)?.frame ?? null;
  }

  private load(element: HTMLImageElement, frame: PartialImageFrame) {
    const current = this.loaded.get(element);
    if (current?.frame === frame) return;
    if (current && current.frame.src === frame.src) {
      // The same picture (a preview settled as the final): nothing to load again.
      this.loaded.set(element, { ...current, frame });
      return;
    }
    current?.revoke();
    if (frame === this.rendered && element.getAttribute('src') === frame.src) {
      this.loaded.set(element, { frame, src: frame.src, revoke: noop });
      return;
    }
    let src = frame.src;
    let revoke = noop;
    // Not `frame.b64 !== null`: reading it would flatten the data URL (megabytes) for nothing
    // when the Worker's Blob is waiting; a URL frame simply has no Blob.
    if (this.options.mode === 'object-url' && canMakeObjectUrls()) {
      const blob = takeFrameBlob(frame);
      if (blob) {
        src = URL.createObjectURL(blob);
        revoke = () => URL.revokeObjectURL(src);
      }
    }
    this.loaded.set(element, { frame, src, revoke });
    element.src = src;
  }

  /** Shows `front`, hides every other image (the leaving one fades out under it). */
  private arrange(front: HTMLImageElement | null) {
    for (const element of this.images()) {
      const isFront = element === front;
      const isLeaving = element === this.leaving;
      element.style.opacity = isFront || isLeaving ? '1' : '0';
      element.style.zIndex = isFront ? '2' : isLeaving ? '1' : '0';
      if (isFront) element.removeAttribute('aria-hidden');
      else element.setAttribute('aria-hidden', 'true');
    }
    this.options.paint(this.current);
  }

  /** Paints what depends on more than the frame on screen (the item's status). */
  repaint() {
    if (this.root) this.options.paint(this.current);
  }

  private elementOf(frame: PartialImageFrame | null): HTMLImageElement | null {
    if (frame === null) return null;
    for (const element of this.images())
      if (this.loaded.get(element)?.frame === frame) return element;
    return null;
  }

  /** After every commit: load what React mounted, show what is on screen, decode the newest. */
  sync(live: readonly LiveFrame[]) {
    const demand = this.options.mode === 'object-url';
    if (demand !== this.countsDemand) {
      frameBlobDemand(demand ? 1 : -1);
      this.countsDemand = demand;
    }
    const elements = this.images();
    // Elements React removed: their object URLs go with them.
    for (const [element, held] of this.loaded) {
      if (elements.includes(element)) continue;
      held.revoke();
      this.loaded.delete(element);
    }
    for (const element of elements) {
      const frame = this.frameOf(element, live);
      if (frame) this.load(element, frame);
    }
    if (live.length === 0) this.set(null);
    if (this.leaving && !elements.includes(this.leaving)) this.stopFade();
    this.arrange(this.elementOf(this.current));
    // A frame the component was mounted with is on screen at once: say so, once.
    const shown = this.current;
    if (shown !== null && shown !== this.announced && this.elementOf(shown) !== null) {
      this.announced = shown;
      this.options.onShown?.(shown);
      if (shown.isFinal) this.options.onSettled?.();
    }
    const newest = live[live.length - 1]?.frame ?? null;
    if (newest !== null && newest !== this.current) this.decode(newest);
    else this.releaseHidden();
  }

  private decode(frame: PartialImageFrame) {
    const element = this.elementOf(frame);
    if (!element || this.decoding === element) return;
    this.decoding = element;
    const show = () => {
      if (this.disposed || this.loaded.get(element)?.frame !== frame) return;
      if (this.decoding === element) this.decoding = null;
      const previous = this.elementOf(this.current);
      this.set(frame);
      const fadeMs = this.options.crossfadeMs;
      this.stopFade();
      if (previous && fadeMs > 0 && typeof element.animate === 'function') {
        this.leaving = previous;
        const fade = element.animate([{ opacity: 0 }, { opacity: 1 }], {
          duration: fadeMs,
          easing: 'ease-out',
        });
        this.fade = fade;
        fade.finished.then(() => {
          if (this.fade !== fade) return;
          this.fade = null;
          this.leaving = null;
          this.arrange(element);
          this.releaseHidden();
        }, noop);
      }
      this.arrange(element);
      if (!this.leaving) this.releaseHidden();
      this.announced = frame;
      this.options.onShown?.(frame);
      if (frame.isFinal) this.options.onSettled?.();
    };
    const fail = () => {
      if (this.decoding === element) this.decoding = null;
      if (!this.disposed && this.loaded.get(element)?.frame === frame)
        this.options.onError?.(frame);
    };
    if (typeof element.decode === 'function') {
      element.decode().then(show, fail);
    } else if (element.complete && element.naturalWidth > 0) {
      show();
    } else {
      element.addEventListener('load', show, { once: true });
      element.addEventListener('error', fail, { once: true });
    }
  }

  private stopFade() {
    this.fade?.cancel();
    this.fade = null;
    this.leaving = null;
  }

  /**
   * Once the final frame is on screen, the other image lets its picture go (its `src` removed,
   * its object URL revoked): a finished image holds one decoded bitmap, not two. React drops the
   * element itself at the next render, if there is one.
   */
  private releaseHidden() {
    const shown = this.current;
    if (!shown?.isFinal) return;
    for (const element of this.images()) {
      const held = this.loaded.get(element);
      if (!held || held.frame === shown || element === this.leaving || element === this.decoding)
        continue;
      if (held.frame === this.rendered) continue; // React's own `src`: React removes the element
      held.revoke();
      this.loaded.delete(element);
      element.removeAttribute('src');
    }
  }

  dispose() {
    this.disposed = true;
    this.stopFade();
    for (const held of this.loaded.values()) held.revoke();
    this.loaded.clear();
    if (this.countsDemand) frameBlobDemand(-1);
    this.countsDemand = false;
  }
}

function noop() {}

function canMakeObjectUrls() {
  return typeof URL !== 'undefined' && typeof URL.createObjectURL === 'function';
}

/** A React key for a frame: what tells frames apart, and nothing that changes. */
function keyOf(frame: PartialImageFrame): string {
  return `${frame.isFinal ? 'f' : 'p'}${frame.index}-${frame.receivedAt}-${frame.byteLength}`;
}

/** A frame to render: its React key, and the `src` React writes (only for a server-rendered one). */
export interface LiveFrame {
  readonly key: string;
  readonly frame: PartialImageFrame;
  readonly src: string | undefined;
}

/**
 * The frames to render: the one on screen (while the newest decodes) and the newest; one element
 * when they show the same picture (a preview settled as the final).
 */
function liveFrames(
  frame: PartialImageFrame | null,
  shown: PartialImageFrame | null,
  rendered: PartialImageFrame | null,
): LiveFrame[] {
  if (frame === null) return [];
  const entry = (f: PartialImageFrame, key: string): LiveFrame => ({
    key,
    frame: f,
    // React writes only the server-rendered frame's `src`, for as long as its element lives.
    src: rendered !== null && key === keyOf(rendered) ? rendered.src : undefined,
  });
  if (shown === null || shown === frame) return [entry(frame, keyOf(frame))];
  if (shown.src === frame.src) return [entry(frame, keyOf(shown))];
  return [entry(shown, keyOf(shown)), entry(frame, keyOf(frame))];
}

const noSubscribe = () => () => {};

/**
 * The frames to render now, and the root ref the presenter works through. @internal
 *
 * No closure React keeps holds a frame other than the newest. V8 gives all the closures made in
 * one function call one scope, so a callback kept from the first render (the root ref, the
 * unmount effect) would keep whatever any sibling closure captured then: the closures that
 * capture a frame or the options are made in the small hooks below, each with a scope of its own,
 * and re-made each time what they capture changes.
 *
 * @param frame - The newest frame of the item, or `null`.
 */
export function useFrameSwap(
  frame: PartialImageFrame | null,
  options: FrameSwapOptions,
): {
  live: readonly RenderedFrame[];
  /** Is a frame on screen, as of this render? */
  showing: boolean;
  rootRef: (element: HTMLElement | null) => void;
} {
  const presenter = usePresenter(frame);
  const snapshot = React.useSyncExternalStore(
    presenter.subscribe,
    presenter.getSnapshot,
    presenter.getSnapshot,
  );
  const live = liveFrames(frame, presenter.shownAt(snapshot), presenter.rendered);
  const keys = live.map((entry) => entry.key).join(' ');
  useOptions(presenter, options);
  useSync(presenter, frame, keys);
  React.useEffect(() => {
    presenter.disposed = false;
    return () => {
      presenter.disposed = true;
      // StrictMode's simulated unmount comes straight back: release only on a real one.
      queueMicrotask(() => {
        if (presenter.disposed) presenter.dispose();
      });
    };
  }, [presenter]);
  const rootRef = React.useCallback(
    (element: HTMLElement | null) => {
      presenter.root = element;
    },
    [presenter],
  );
  return {
    live: live.map(({ key, src, frame }) => ({ key, src, index: frame.index })),
    showing: snapshot !== null,
    rootRef,
  };
}

/** A frame as React renders it: no base64 beyond the `src` React itself writes. */
export interface RenderedFrame {
  readonly key: string;
  readonly src: string | undefined;
  readonly index: number;
}

function usePresenter(frame: PartialImageFrame | null): Presenter {
  // True on the server and while hydrating: the first frame's `src` is then React's to write.
  const hydrating = React.useSyncExternalStore(
    noSubscribe,
    () => false,
    () => true,
  );
  return React.useState(() => new Presenter(frame, hydrating))[0];
}

/** The options of the latest render, for the presenter's asynchronous work; and a repaint. */
function useOptions(presenter: Presenter, options: FrameSwapOptions) {
  React.useLayoutEffect(() => {
    presenter.options = options;
    presenter.repaint();
  });
}

/** After each commit that changes the frames: the presenter brings the images up to date. */
function useSync(presenter: Presenter, frame: PartialImageFrame | null, keys: string) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: `keys` changes when the elements React renders do (the frame on screen among them), and each such commit needs a sync.
  React.useLayoutEffect(() => {
    presenter.sync(liveFrames(frame, presenter.current, presenter.rendered));
  }, [presenter, frame, keys]);
}
