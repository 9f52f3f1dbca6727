import * as React from 'react';
import type { PartialImagesError } from '../core/errors';
import type { PartialImagesSource } from '../core/source';
import type { PartialImageFrame, PartialImageItem, PartialImagesState } from '../core/state';
import {
  createPartialImagesStore,
  type PartialImagesStore,
  type PartialImagesStoreOptions,
} from '../core/store';
import { useStoreSelector } from './useStoreSelector';

/**
 * Options of {@link usePartialImages}. Every one is read when it is used, so a new value (a new
 * callback on each render) takes effect at once and never restarts the stream.
 */
export interface UsePartialImagesOptions extends PartialImagesStoreOptions {
  /** Called once per new frame (preview or final), after the state has it. */
  onFrame?: ((frame: PartialImageFrame, item: PartialImageItem) => void) | undefined;
  /** Called once when the response completes. */
  onComplete?: ((state: PartialImagesState) => void) | undefined;
  /** Called once per new error: the response's, or one image's. */
  onError?: ((error: PartialImagesError, state: PartialImagesState) => void) | undefined;
}

/** What {@link usePartialImages} returns: the state, the store behind it, and `abort`. */
export type UsePartialImagesResult = PartialImagesState & {
  /**
   * The store behind the hook: give it to `usePartialImage(store, id)`,
   * `usePartialImageIds(store)` or `<PartialImageGallery store>`, or call its methods.
   */
  readonly store: PartialImagesStore;
  /** Stops the request; the status becomes `aborted` and frames stay. */
  readonly abort: () => void;
};

interface Run {
  source: PartialImagesSource;
  controller: AbortController;
  /** Set by an effect cleanup; cleared if the effect comes straight back (StrictMode). */
  stopping: boolean;
}

/**
 * Streams partial images into React state.
 *
 * `source` is what to read: `null` (idle), a `Response` or a promise of one, a byte stream (of
 * SSE, or of the AI SDK's UI message stream), an SDK stream (`AsyncIterable`), or a function
 * `(signal) => source` so that the hook owns the request and can cancel it. A new source (by
 * identity) resets the state and starts over; `null` stops. Keep the source stable: create it in
 * an event handler and keep it in state, not inline. In a browser the bytes are parsed in a Web
 * Worker (see the `worker` option).
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
  // The store reads its options when it uses them; this object always holds the latest ones.
  const [config] = React.useState<UsePartialImagesOptions>(() => ({ ...options }));
  const [store] = React.useState(() => createPartialImagesStore(config));
  React.useLayoutEffect(() => {
    for (const key of Object.keys(config) as (keyof UsePartialImagesOptions)[]) {
      if (!(key in options)) delete config[key];
    }
    Object.assign(config, options);
  });
  const state = React.useSyncExternalStore(store.subscribe, store.getState, store.getInitialState);
  React.useDebugValue(state.status);

  // Callbacks: diff each change against the previous state, outside render.
  React.useEffect(
    () =>
      store.subscribe((next, previous) => {
        const { onFrame, onComplete, onError } = config;
        if (!onFrame && !onComplete && !onError) return;
        // A response-level error also fails the open items with the same error: report it once.
        const reported = new Set<PartialImagesError>();
        const report = (error: PartialImagesError) => {
          if (reported.has(error)) return;
          reported.add(error);
          onError?.(error, next);
        };
        if (next.error && next.error !== previous.error) report(next.error);
        for (const item of next.items) {
          const before = previous.items.find((p) => p.id === item.id);
          if (item.latest && item.latest !== before?.latest) onFrame?.(item.latest, item);
          if (item.error && item.error !== before?.error) report(item.error);
        }
        if (next.status === 'completed' && previous.status !== 'completed') onComplete?.(next);
      }),
    [store, config],
  );

  const run = React.useRef<Run | null>(null);
  React.useEffect(() => {
    const current = run.current;
    if (current && current.source === source) {
      // StrictMode's simulated unmount and remount: keep reading the same source.
      current.stopping = false;
      return () => stopLater(run, current);
    }
    if (current) stopNow(run, current);
    if (source === null || source === undefined) return;
    const next: Run = { source, controller: new AbortController(), stopping: false };
    run.current = next;
    store.reset();
    void store.consume(source, { signal: next.controller.signal });
    return () => stopLater(run, next);
  }, [source, store]);

  const abort = React.useCallback(() => store.abort(), [store]);
  return React.useMemo(() => ({ ...state, store, abort }), [state, store, abort]);
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

const bump = (n: number) => n + 1;

function itemById(id: string) {
  return (state: PartialImagesState) => state.items.find((item) => item.id === id);
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
  const select = React.useMemo(() => itemById(id), [id]);
  const item = useStoreSelector(store, select);
  // Once the item is done, render once more: React's other copy of this component (the fiber it
  // alternates with) still holds the item before, previews and all, until the next render.
  const done = item !== undefined && (item.final !== null || item.status === 'failed');
  const [, settle] = React.useReducer(bump, 0);
  React.useEffect(() => {
    if (done) settle();
  }, [done]);
  return item;
}

/**
 * The ids of a store's items, in order. Re-renders only when an item is added or removed: a
 * gallery built on it does not re-render for each frame.
 */
export function usePartialImageIds(store: PartialImagesStore): readonly string[] {
  return useStoreSelector(store, itemIds, sameItems);
}

function itemIds(state: PartialImagesState): readonly string[] {
  return state.items.map((item) => item.id);
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
