import * as React from 'react';
import type { PartialImagesState } from '../core/state';
import type { PartialImagesStore } from '../core/store';

interface Selector<T> {
  readonly getSnapshot: () => T;
  readonly getServerSnapshot: () => T;
}

/**
 * The snapshot functions for one (store, select, isEqual): they remember the last (state,
 * selection) pair, so that the same state gives the same value, and an equal selection keeps its
 * old identity (`useSyncExternalStore` compares by `===`). Made at module level: its closures hold
 * the store and the last selection, and nothing of the render that asked for them.
 */
function selector<T>(
  store: PartialImagesStore,
  select: (state: PartialImagesState) => T,
  isEqual: (a: T, b: T) => boolean,
): Selector<T> {
  let memo: { state: PartialImagesState; value: T } | null = null;
  return {
    getSnapshot() {
      const state = store.getState();
      if (memo !== null && memo.state === state) return memo.value;
      const value = select(state);
      memo = { state, value: memo !== null && isEqual(memo.value, value) ? memo.value : value };
      return memo.value;
    },
    getServerSnapshot: () => select(store.getInitialState()),
  };
}

/**
 * Subscribes to the part of a store's state that `select` picks: the component re-renders only
 * when the picked value changes by `isEqual`, whatever else changed. `select` and `isEqual` must
 * be stable (module-level functions, or made with `useCallback`).
 * @internal
 */
export function useStoreSelector<T>(
  store: PartialImagesStore,
  select: (state: PartialImagesState) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const { getSnapshot, getServerSnapshot } = React.useMemo(
    () => selector(store, select, isEqual),
    [store, select, isEqual],
  );
  return React.useSyncExternalStore(store.subscribe, getSnapshot, getServerSnapshot);
}
