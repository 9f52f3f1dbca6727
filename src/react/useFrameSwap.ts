import * as React from 'react';
import type { PartialImageFrame } from '../core/state';
import { frameObjectUrl } from './objectUrl';

/** How a frame gets into `<img src>`. */
export type FrameSrcMode = 'data-url' | 'object-url';

/** One of the two `<img>` elements: the frame it holds and the URL it loads. */
interface FrameSlot {
  readonly frame: PartialImageFrame;
  readonly src: string;
  readonly revoke: () => void;
}

type SlotName = 'a' | 'b';
const SLOTS: readonly SlotName[] = ['a', 'b'];
const other = (slot: SlotName): SlotName => (slot === 'a' ? 'b' : 'a');

/**
 * Which frame each of the two `<img>` elements holds, and which one is on screen. It lives
 * outside React state on purpose: a frame enters the hidden element in the render that brings it
 * (the one commit per frame), and the swap after decoding is a change of a few styles, made on
 * the DOM directly, so it costs no second render. Renders read it to draw the same thing.
 */
interface Presenter {
  a: FrameSlot | null;
  b: FrameSlot | null;
  /** The slot on screen, or `null` before the first frame has decoded. */
  front: SlotName | null;
  /** The previous front, painted under the new one while it fades in. */
  leaving: SlotName | null;
  /** Slots replaced by a render: their URLs are revoked once the commit stops using them. */
  stale: FrameSlot[];
  /** The slot whose decode is under way. */
  decoding: FrameSlot | null;
  /** Slots that have been on screen: never decoded (or brought forward) again. */
  shown: WeakSet<FrameSlot>;
  fade: Animation | null;
  disposed: boolean;
}

function makeSlot(frame: PartialImageFrame, mode: FrameSrcMode): FrameSlot {
  if (mode === 'object-url') return { frame, ...frameObjectUrl(frame) };
  return { frame, src: frame.src, revoke: () => {} };
}

/** Puts `frame` into the hidden slot (idempotent, so a repeated render changes nothing). */
function assign(p: Presenter, frame: PartialImageFrame | null, mode: FrameSrcMode) {
  if (frame === null) {
    for (const name of SLOTS) {
      const slot = p[name];
      if (slot) p.stale.push(slot);
      p[name] = null;
    }
    p.front = null;
    p.leaving = null;
    return;
  }
  if (p.a?.frame === frame || p.b?.frame === frame) return;
  const target: SlotName = p.front === null ? 'a' : other(p.front);
  // A fade still using that slot ends now; the layout effect stops its animation.
  if (p.leaving === target) p.leaving = null;
  const old = p[target];
  if (old) p.stale.push(old);
  p[target] = makeSlot(frame, mode);
}

/**
 * Lets go of the hidden slot once it has been on screen and no frame is coming to replace it,
 * so that a finished image keeps one decoded picture, not two.
 */
function releaseHidden(p: Presenter) {
  if (p.front === null) return;
  const back = other(p.front);
  const slot = p[back];
  if (!slot || back === p.leaving || !p.shown.has(slot)) return;
  p.stale.push(slot);
  p[back] = null;
}

/** What a slot's `<img>` looks like for its role. */
export interface SlotView {
  name: SlotName;
  frame: PartialImageFrame;
  src: string;
  front: boolean;
  opacity: number;
  zIndex: number;
}

function slotViews(p: Presenter): SlotView[] {
  const views: SlotView[] = [];
  for (const name of SLOTS) {
    const slot = p[name];
    if (!slot) continue;
    const front = p.front === name;
    const leaving = p.leaving === name;
    views.push({
      name,
      frame: slot.frame,
      src: slot.src,
      front,
      opacity: front || leaving ? 1 : 0,
      zIndex: front ? 2 : leaving ? 1 : 0,
    });
  }
  return views;
}

/** The frame on screen, or `null`. */
function shownFrame(p: Presenter): PartialImageFrame | null {
  return p.front ? (p[p.front]?.frame ?? null) : null;
}

/** Options of {@link useFrameSwap}. */
export interface FrameSwapOptions {
  mode: FrameSrcMode;
  /** Fade-in duration for a new frame, in ms; 0 swaps at once. */
  crossfadeMs: number;
  onShown?: ((frame: PartialImageFrame) => void) | undefined;
  onError?: ((frame: PartialImageFrame) => void) | undefined;
  /** Brings the DOM outside the two images (data attributes, status text) up to date. */
  paint: (shown: PartialImageFrame | null) => void;
  /** No frame will follow (the item completed or failed): keep only the one on screen. */
  settled: boolean;
}

const noSubscribe = () => () => {};

/**
 * Double-buffered frames without flicker and with one React commit per frame: a new frame goes
 * into the hidden `<img>` in the render that brings it, is decoded off screen
 * (`HTMLImageElement.decode()`), and is then brought to the front by a change of style on that
 * same element. Each frame is loaded by exactly one element, once: no preloader, no second decode.
 * A frame that arrives while another is still decoding takes its place.
 * @internal
 */
export function useFrameSwap(frame: PartialImageFrame | null, options: FrameSwapOptions) {
  // Server rendering and hydration use the data URL (an object URL cannot exist on the server);
  // a plain client mount uses the mode asked for.
  const hydrating = React.useSyncExternalStore(
    noSubscribe,
    () => false,
    () => true,
  );
  const [p] = React.useState<Presenter>(() => {
    const initial: Presenter = {
      a: null,
      b: null,
      front: null,
      leaving: null,
      stale: [],
      decoding: null,
      shown: new WeakSet(),
      fade: null,
      disposed: false,
    };
    // A frame known at the first render (server rendering, a remount) is shown at once.
    if (frame) {
      initial.a = makeSlot(frame, hydrating ? 'data-url' : options.mode);
      initial.front = 'a';
      initial.shown.add(initial.a);
    }
    return initial;
  });
  assign(p, frame, options.mode);
  if (options.settled || shownFrame(p)?.isFinal) releaseHidden(p);

  const elements = React.useRef<Record<SlotName, HTMLImageElement | null>>({ a: null, b: null });
  const latest = React.useRef(options);
  latest.current = options;

  /** Applies the presenter's roles to the two images, then the rest of the DOM. */
  const paint = React.useCallback(() => {
    for (const view of slotViews(p)) {
      const element = elements.current[view.name];
      if (!element) continue;
      element.style.opacity = String(view.opacity);
      element.style.zIndex = String(view.zIndex);
      if (view.front) element.removeAttribute('aria-hidden');
      else element.setAttribute('aria-hidden', 'true');
    }
    latest.current.paint(shownFrame(p));
  }, [p]);

  /**
   * Once the final frame is on screen, the hidden element lets its picture go at once (its `src`
   * removed, its URL revoked) rather than through another render: a finished image then holds
   * one decoded bitmap. The next render, if any, drops the element.
   */
  const dropHidden = React.useCallback(() => {
    if (p.front === null) return;
    const back = other(p.front);
    const slot = p[back];
    if (!slot || back === p.leaving || !p.shown.has(slot)) return;
    elements.current[back]?.removeAttribute('src');
    p[back] = null;
    slot.revoke();
  }, [p]);

  const decodeBack = React.useCallback(() => {
    if (p.disposed) return;
    const back: SlotName | null =
      p.front === null ? (p.a ? 'a' : p.b ? 'b' : null) : other(p.front);
    const slot = back ? p[back] : null;
    const element = back ? elements.current[back] : null;
    if (!back || !slot || !element || back === p.leaving) return;
    if (p.decoding === slot || p.shown.has(slot)) return;
    p.decoding = slot;
    const show = () => {
      if (p.disposed || p[back] !== slot) return;
      p.decoding = null;
      p.shown.add(slot);
      const previous = p.front;
      const fadeMs = latest.current.crossfadeMs;
      p.front = back;
      p.leaving = previous !== null && fadeMs > 0 ? previous : null;
      // The old front keeps its element, hidden, for the next frame to load into.
      paint();
      if (p.leaving !== null && typeof element.animate === 'function') {
        p.fade?.cancel();
        const fade = element.animate([{ opacity: 0 }, { opacity: 1 }], {
          duration: fadeMs,
          easing: 'ease-out',
        });
        p.fade = fade;
        fade.finished.then(
          () => {
            if (p.fade !== fade) return;
            p.fade = null;
            p.leaving = null;
            paint();
            if (slot.frame.isFinal) dropHidden();
            decodeBack();
          },
          () => {},
        );
      } else {
        p.leaving = null;
        paint();
        if (slot.frame.isFinal) dropHidden();
      }
      latest.current.onShown?.(slot.frame);
      // A frame that arrived while this one decoded is waiting in the other slot.
      decodeBack();
    };
    const fail = () => {
      if (p.decoding === slot) p.decoding = null;
      if (!p.disposed && p[back] === slot) latest.current.onError?.(slot.frame);
    };
    if (typeof element.decode === 'function') {
      element.decode().then(show, fail);
    } else if (element.complete && element.naturalWidth > 0) {
      show();
    } else {
      element.addEventListener('load', show, { once: true });
      element.addEventListener('error', fail, { once: true });
    }
  }, [p, paint, dropHidden]);

  // After every commit: release replaced URLs, stop a fade that lost its slot, bring the DOM in
  // line (a render may have drawn an older view), and decode whatever waits in the back slot.
  React.useLayoutEffect(() => {
    for (const slot of p.stale.splice(0)) {
      if (slot !== p.a && slot !== p.b) slot.revoke();
    }
    if (p.leaving === null && p.fade) {
      p.fade.cancel();
      p.fade = null;
    }
    paint();
    decodeBack();
  });

  // Release everything on unmount (but not in StrictMode's simulated unmount, which comes back).
  React.useEffect(() => {
    p.disposed = false;
    decodeBack();
    return () => {
      p.disposed = true;
      queueMicrotask(() => {
        if (!p.disposed) return;
        p.fade?.cancel();
        p.a?.revoke();
        p.b?.revoke();
        for (const slot of p.stale.splice(0)) slot.revoke();
      });
    };
  }, [p, decodeBack]);

  const setElement = React.useCallback(
    (name: SlotName) => (element: HTMLImageElement | null) => {
      elements.current[name] = element;
    },
    [],
  );
  const refs = React.useMemo(() => ({ a: setElement('a'), b: setElement('b') }), [setElement]);
  return { slots: slotViews(p), refs, shown: shownFrame(p) };
}
