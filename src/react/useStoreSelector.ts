import * as React from 'react';
import type { PartialImagesState } from '../core/state';
import type { PartialImagesStore } from '../core/store';

/**
 * Subscribes to the part of a store's state that `selector` picks. The component re-renders only
 * when the picked value changes by `isEqual` (default `Object.is`), whatever else changed.
 * `selector` may be a new function on every render.
 * @internal
 */
export function useStoreSelector<T>(
  store: PartialImagesStore,
  selector: (state: PartialImagesState) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  // The last (state, selection) pair, so that getSnapshot returns the same value for the same
  // state, and an equal selection keeps its old identity (useSyncExternalStore compares by ===).
  const memo = React.useRef<{ state: PartialImagesState; value: T } | null>(null);
  const latest = React.useRef({ selector, isEqual });
  latest.current = { selector, isEqual };
  const select = React.useCallback((state: PartialImagesState) => {
    const previous = memo.current;
    if (previous && previous.state === state) return previous.value;
    const value = latest.current.selector(state);
    if (previous && latest.current.isEqual(previous.value, value)) {
      memo.current = { state, value: previous.value };
      return previous.value;
    }
    memo.current = { state, value };
    return value;
  }, []);
  const getSnapshot = React.useCallback(() => select(store.getState()), [store, select]);
  const getServerSnapshot = React.useCallback(
    () => select(store.getInitialState()),
    [store, select],
  );
  // A new store starts over.
  const storeRef = React.useRef(store);
  if (storeRef.current !== store) {
    storeRef.current = store;
    memo.current = null;
  }
  return React.useSyncExternalStore(store.subscribe, getSnapshot, getServerSnapshot);
}

/** Are two arrays equal item by item (by `Object.is`)? @internal */
export function shallowEqualArrays<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
