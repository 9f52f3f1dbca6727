/**
 * Plays a schedule in (scaled) real time with `setTimeout`, so tests can drive it with fake
 * timers, and stops at once, leaving no timer behind, when its `AbortSignal` fires.
 */

import type { Scheduled } from './network';

/** Options of {@link play}. */
export interface PaceOptions {
  /**
   * Time scale: 1 is realistic, 4 is four times faster, `Infinity` is instant (no timers).
   * @defaultValue 1
   */
  speed?: number | undefined;
  /** Stops the playback: the pending wait is cleared and iteration throws `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** @throws `RangeError` unless `speed` is a positive number (`Infinity` included). */
export function checkSpeed(speed: number): number {
  if (!(speed > 0)) {
    throw new RangeError(`speed must be > 0 (1 realistic, Infinity instant), got ${speed}.`);
  }
  return speed;
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal fires. */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Yields each value at `at / speed` ms after the first `next()`. Times are kept against the
 * clock (`Date.now()`), so a slow consumer does not push later values back further.
 *
 * @throws `signal.reason` when the signal fires (also before the first value).
 */
export async function* play<T>(
  schedule: readonly Scheduled<T>[],
  options: PaceOptions = {},
): AsyncGenerator<T, void, undefined> {
  const speed = checkSpeed(options.speed ?? 1);
  const { signal } = options;
  signal?.throwIfAborted();
  const start = Date.now();
  for (const { at, value } of schedule) {
    if (speed !== Number.POSITIVE_INFINITY) {
      const delay = start + Math.round(at / speed) - Date.now();
      if (delay > 0) await wait(delay, signal);
    }
    signal?.throwIfAborted();
    yield value;
  }
}

/**
 * A byte stream fed by `source(signal)`, pulled on demand. Cancelling the stream, or `signal`
 * firing, aborts the signal given to `source`, so its pending timer is cleared at once.
 */
export function toReadableStream(
  source: (signal: AbortSignal) => AsyncIterator<Uint8Array>,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  const cleanup = () => signal?.removeEventListener('abort', onAbort);
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(stream) {
        iterator ??= source(controller.signal);
        try {
          const result = await iterator.next();
          if (result.done) {
            cleanup();
            stream.close();
          } else stream.enqueue(result.value);
        } catch (error) {
          // After a cancel, the stream no longer takes chunks; `error` is then a no-op.
          cleanup();
          stream.error(error);
        }
      },
      cancel(reason) {
        cleanup();
        controller.abort(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
