import * as React from 'react';
import type { PartialImagesSource } from '../core/consume';
import type { PartialImagesError } from '../core/errors';
import type { PartialImageFrame, PartialImageItem, PartialImagesState } from '../core/state';
import {
  createPartialImagesStore,
  type PartialImagesStore,
  type PartialImagesStoreOptions,
} from '../core/store';
import { useCallbackRef } from './useCallbackRef';
import { shallowEqualArrays, useStoreSelector } from './useStoreSelector';

/** Options of {@link usePartialImages}. Changing a callback never restarts the stream. */
export interface UsePartialImagesOptions extends PartialImagesStoreOptions {
  /**
   * A store to feed instead of the hook's own, to share one response between components (a chat
   * message and a lightbox). The store's own options then apply; the options here are ignored
   * except the callbacks.
   */
  store?: PartialImagesStore | undefined;
  /** Called once per new frame (preview or final), after the state has it. */
  onFrame?: ((frame: PartialImageFrame, item: PartialImageItem) => void) | undefined;
  /** Called once when the response completes. */
  onComplete?: ((state: PartialImagesState) => void) | undefined;
  /** Called once per new error: the response's, or one image's. */
  onError?: ((error: PartialImagesError, state: PartialImagesState) => void) | undefined;
}

/** What {@link usePartialImages} returns: the state, plus controls. */
export interface UsePartialImagesResult extends PartialImagesState {
  /** The whole state object (the same fields as above, as one value). */
  state: PartialImagesState;
  /** Stops the request; the status becomes `aborted` and frames stay. */
  abort: () => void;
  /** Stops the request and empties the state. */
  reset: () => void;
  /** Pushes one raw event by hand (any shape the core's `normalizeEvent` accepts). */
  dispatch: (raw: unknown) => void;
  /** The store behind the hook: pass it to `usePartialImage` or `<ProgressiveImage store id>`. */
  store: PartialImagesStore;
}

interface Run {
  source: PartialImagesSource;
  store: PartialImagesStore;
  controller: AbortController;
  /** Set by an effect cleanup; cleared if the effect comes straight back (StrictMode). */
  stopping: boolean;
}

/**
 * Streams partial images into React state.
 *
 * `source` is what to read: `null` (idle), a `Response` or a promise of one, a byte stream, an SDK
 * stream (`AsyncIterable`), or a function `(signal) => source` so that the hook owns the request
 * and can cancel it. A new source (by identity) resets the state and starts over; `null` stops.
 * Keep the source stable: create it in an event handler and keep it in state, not inline.
 *
 * Unmounting, a new source and `abort()` cancel the request and keep the frames received. Under
 * StrictMode the source is read once: the development-only unmount and remount do not abort it.
 * Server rendering shows the idle state.
 *
 * @example
 * ```tsx
 * const [source, setSource] = useState<PartialImagesSource | null>(null)
 * const { status, items } = usePartialImages(source)
 * const send = (prompt: string) =>
 *   setSource(() => (signal: AbortSignal) =>
 *     fetch('/api/image', { method: 'POST', body: JSON.stringify({ prompt }), signal }))
 * return items.map((item) => <ProgressiveImage key={item.id} item={item} />)
 * ```
 */
export function usePartialImages(
  source: PartialImagesSource | null | undefined,
  options: UsePartialImagesOptions = {},
): UsePartialImagesResult {
  const [ownStore] = React.useState(() => options.store ?? createPartialImagesStore(options));
  const store = options.store ?? ownStore;
  const state = React.useSyncExternalStore(store.subscribe, store.getState, store.getInitialState);
  React.useDebugValue(state.status);

  const onFrame = useCallbackRef(options.onFrame);
  const onComplete = useCallbackRef(options.onComplete);
  const onError = useCallbackRef(options.onError);
  const wantsCallbacks = Boolean(options.onFrame || options.onComplete || options.onError);

  // Callbacks: diff each change against the previous state, outside render.
  React.useEffect(() => {
    if (!wantsCallbacks) return;
    return store.subscribe((next, previous) => {
      // A response-level error also fails the open items with the same error: report it once.
      const reported = new Set<PartialImagesError>();
      const report = (error: PartialImagesError) => {
        if (reported.has(error)) return;
        reported.add(error);
        onError(error, next);
      };
      if (next.error && next.error !== previous.error) report(next.error);
      for (const item of next.items) {
        const before = previous.items.find((p) => p.id === item.id);
        if (item.latest && item.latest !== before?.latest) onFrame(item.latest, item);
        if (item.error && item.error !== before?.error) report(item.error);
      }
      if (next.status === 'completed' && previous.status !== 'completed') onComplete(next);
    });
  }, [store, wantsCallbacks, onFrame, onComplete, onError]);

  const run = React.useRef<Run | null>(null);
  React.useEffect(() => {
    const current = run.current;
    if (current && current.source === source && current.store === store) {
      // StrictMode's simulated unmount and remount: keep reading the same source.
      current.stopping = false;
      return () => stopLater(run, current);
    }
    if (current) stopNow(run, current);
    if (source === null || source === undefined) return;
    const next: Run = { source, store, controller: new AbortController(), stopping: false };
    run.current = next;
    store.reset();
    void store.consume(source, { signal: next.controller.signal });
    return () => stopLater(run, next);
  }, [source, store]);

  const abort = React.useCallback(() => store.abort(), [store]);
  const reset = React.useCallback(() => store.reset(), [store]);
  return React.useMemo(
    () => ({ ...state, state, abort, reset, dispatch: store.dispatch, store }),
    [state, abort, reset, store],
  );
}

function stopNow(ref: React.RefObject<Run | null>, target: Run) {
  target.controller.abort();
  if (ref.current === target) ref.current = null;
}

/**
 * Aborts after the current commit unless the effect re-ran for the same source in the meantime:
 * StrictMode unmounts and remounts synchronously, a real unmount does not come back.
 */
function stopLater(ref: React.RefObject<Run | null>, target: Run) {
  target.stopping = true;
  queueMicrotask(() => {
    if (target.stopping) stopNow(ref, target);
  });
}

/**
 * Subscribes to one item of a store: the component re-renders only when that item changes, not
 * when a frame arrives for another image. Returns `undefined` until the item exists.
 *
 * @example
 * ```tsx
 * function Thumb({ store, id }: { store: PartialImagesStore; id: string }) {
 *   const item = usePartialImage(store, id)
 *   return item ? <ProgressiveImage item={item} /> : null
 * }
 * ```
 */
export function usePartialImage(
  store: PartialImagesStore,
  id: string,
): PartialImageItem | undefined {
  return useStoreSelector(store, (state) => state.items.find((item) => item.id === id));
}

/**
 * The ids of a store's items, in order. Re-renders only when an item is added or removed: a
 * gallery built on it does not re-render for each frame.
 */
export function usePartialImageIds(store: PartialImagesStore): readonly string[] {
  return useStoreSelector(store, (state) => state.items.map((item) => item.id), shallowEqualArrays);
}

/**
 * Subscribes to any part of a store's state. The component re-renders only when the selected
 * value changes by `isEqual` (default `Object.is`); return existing objects, or pass an equality.
 *
 * @example
 * ```ts
 * const status = usePartialImagesSelector(store, (state) => state.status)
 * ```
 */
export function usePartialImagesSelector<T>(
  store: PartialImagesStore,
  selector: (state: PartialImagesState) => T,
  isEqual?: (a: T, b: T) => boolean,
): T {
  return useStoreSelector(store, selector, isEqual);
}
