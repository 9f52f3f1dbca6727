import * as React from 'react';

const QUERY = '(prefers-reduced-motion: reduce)';

/** The page's media query list, made once (again only if `matchMedia` itself is replaced). */
let list: MediaQueryList | null = null;
let madeBy: unknown;
function mediaQuery(): MediaQueryList | null {
  const match = typeof window === 'undefined' ? undefined : window.matchMedia;
  if (match !== madeBy) {
    madeBy = match;
    list = typeof match === 'function' ? match.call(window, QUERY) : null;
  }
  return list;
}

function subscribe(onChange: () => void) {
  const query = mediaQuery();
  query?.addEventListener?.('change', onChange);
  return () => query?.removeEventListener?.('change', onChange);
}

// Read on every render of every image: `matches` of one list, not a new `matchMedia` each time.
function getSnapshot() {
  return mediaQuery()?.matches ?? false;
}

/** Does the user ask for reduced motion? `false` on the server. @internal */
export function usePrefersReducedMotion(): boolean {
  return React.useSyncExternalStore(subscribe, getSnapshot, () => false);
}
