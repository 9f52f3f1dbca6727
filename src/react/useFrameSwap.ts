import * as React from 'react';
import type { PartialImageFrame } from '../core/state';
import { frameObjectUrl } from './objectUrl';

/** How a frame gets into `<img src>`. */
export type FrameSrcMode = 'data-url' | 'object-url';

/** One of the two `<img>` elements: the frame it holds and the URL it loads. */
export interface FrameSlot {
  readonly frame: PartialImageFrame;
  readonly src: string;
  readonly revoke: () => void;
}

type SlotName = 'a' | 'b';

interface SwapState {
  readonly a: FrameSlot | null;
  readonly b: FrameSlot | null;
  /** The slot on screen, or `null` before the first frame has decoded. */
  readonly front: SlotName | null;
  /** The previous front, still painted under the new one while it fades in. */
  readonly leaving: SlotName | null;
}

/** Options of {@link useFrameSwap}. */
export interface FrameSwapOptions {
  mode: FrameSrcMode;
  /** Fade-in duration for a new frame, in ms; 0 swaps at once. */
  crossfadeMs: number;
  onShown?: ((frame: PartialImageFrame) => void) | undefined;
  onError?: ((frame: PartialImageFrame) => void) | undefined;
}

const other = (slot: SlotName): SlotName => (slot === 'a' ? 'b' : 'a');

function makeSlot(frame: PartialImageFrame, mode: FrameSrcMode): FrameSlot {
  if (mode === 'object-url') return { frame, ...frameObjectUrl(frame) };
  return { frame, src: frame.src, revoke: () => {} };
}

/**
 * Double-buffered frames without flicker: a new frame loads into the hidden `<img>`, is decoded
 * off screen (`HTMLImageElement.decode()`), and only then becomes the visible one, by a change of
 * style on the element that already holds it. Each frame is loaded by exactly one element, once:
 * no preloader, no second decode. Frames that arrive while one is still decoding replace it.
 * @internal
 */
export function useFrameSwap(frame: PartialImageFrame | null, options: FrameSwapOptions) {
  const { mode } = options;
  const [state, setState] = React.useState<SwapState>(() =>
    // A frame known at the first render (server rendering, a remount) is shown at once.
    frame
      ? { a: makeSlot(frame, 'data-url'), b: null, front: 'a', leaving: null }
      : { a: null, b: null, front: null, leaving: null },
  );
  const elements = React.useRef<Record<SlotName, HTMLImageElement | null>>({ a: null, b: null });
  const latestOptions = React.useRef(options);
  latestOptions.current = options;
  const stateRef = React.useRef(state);
  stateRef.current = state;

  // A new frame goes into the slot that is not on screen.
  React.useEffect(() => {
    const current = stateRef.current;
    if (!frame) {
      // The item went away (a new stream, a reset): let go of everything.
      if (current.a || current.b) {
        current.a?.revoke();
        current.b?.revoke();
        setState({ a: null, b: null, front: null, leaving: null });
      }
      return;
    }
    if (current.a?.frame === frame || current.b?.frame === frame) return;
    const target: SlotName = current.front === null ? 'a' : other(current.front);
    setState((s) => {
      const old = s[target];
      if (old) queueMicrotask(old.revoke);
      const front = s.front === target ? null : s.front;
      return { ...s, [target]: makeSlot(frame, mode), front, leaving: null };
    });
  }, [frame, mode]);

  // Decode the hidden slot, then bring it to the front.
  const back: SlotName | null =
    state.front === null ? (state.a ? 'a' : state.b ? 'b' : null) : other(state.front);
  const backSlot = back ? state[back] : null;
  const waiting = back !== null && backSlot !== null && back !== state.leaving;
  React.useEffect(() => {
    if (!waiting || !back || !backSlot) return;
    const element = elements.current[back];
    if (!element) return;
    let cancelled = false;
    const show = () => {
      if (cancelled) return;
      setState((s) => {
        if (s[back] !== backSlot) return s;
        const leaving = latestOptions.current.crossfadeMs > 0 ? s.front : null;
        const previous = s.front;
        // Without a fade the old front is released now; with one, once the fade is over.
        if (previous && !leaving) {
          const released = s[previous];
          if (released) queueMicrotask(released.revoke);
          return { ...s, [previous]: null, front: back, leaving: null };
        }
        return { ...s, front: back, leaving };
      });
      latestOptions.current.onShown?.(backSlot.frame);
    };
    const fail = () => {
      if (!cancelled) latestOptions.current.onError?.(backSlot.frame);
    };
    if (typeof element.decode === 'function') {
      element.decode().then(show, fail);
    } else if (element.complete && element.naturalWidth > 0) {
      show();
    } else {
      element.addEventListener('load', show, { once: true });
      element.addEventListener('error', fail, { once: true });
    }
    return () => {
      cancelled = true;
      element.removeEventListener('load', show);
      element.removeEventListener('error', fail);
    };
  }, [waiting, back, backSlot]);

  // The fade: the new front animates in over the old one, which is released at the end.
  React.useEffect(() => {
    const { leaving, front } = state;
    if (!leaving || !front) return;
    const element = elements.current[front];
    const finish = () =>
      setState((s) => {
        if (s.leaving !== leaving) return s;
        const released = s[leaving];
        if (released) queueMicrotask(released.revoke);
        return { ...s, [leaving]: null, leaving: null };
      });
    const duration = latestOptions.current.crossfadeMs;
    if (!element || typeof element.animate !== 'function' || duration <= 0) {
      finish();
      return;
    }
    const animation = element.animate([{ opacity: 0 }, { opacity: 1 }], {
      duration,
      easing: 'ease-out',
    });
    animation.finished.then(finish, () => {});
    return () => animation.cancel();
  }, [state]);

  // Release object URLs on unmount.
  React.useEffect(
    () => () => {
      stateRef.current.a?.revoke();
      stateRef.current.b?.revoke();
    },
    [],
  );

  const setElement = React.useCallback(
    (name: SlotName) => (element: HTMLImageElement | null) => {
      elements.current[name] = element;
    },
    [],
  );
  const refs = React.useMemo(() => ({ a: setElement('a'), b: setElement('b') }), [setElement]);
  const shown = state.front ? state[state.front] : null;
  return { state, refs, shown };
}
