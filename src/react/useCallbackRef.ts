import * as React from 'react';

/**
 * A stable function that always calls the latest `callback`, so that passing a new callback on
 * every render never restarts an effect (Radix `useCallbackRef`).
 * @internal
 */
export function useCallbackRef<Args extends unknown[], Result>(
  callback: ((...args: Args) => Result) | undefined,
): (...args: Args) => Result | undefined {
  const ref = React.useRef(callback);
  React.useEffect(() => {
    ref.current = callback;
  });
  return React.useCallback((...args: Args) => ref.current?.(...args), []);
}
