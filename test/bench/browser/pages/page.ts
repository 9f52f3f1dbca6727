/** What the bench pages share: their data, the responses they stream, small probes. */

import type { PartialImagesStoreOptions } from '../../../../src';
import type { Delivery } from '../../shared/wire';
import type { BenchPage } from '../protocol';

/**
 * Store options with the `worker` option that is being added to the library (`false`: parse in
 * the page's thread). Typed here so that the pages compile before and after it exists; until
 * then the store ignores it.
 */
export type BenchStoreOptions = PartialImagesStoreOptions & {
  worker?: false | (() => Worker) | undefined;
};

/** The stream bytes the runner serves as `/data/<name>.bin`. */
export async function fetchBytes(name: string): Promise<Uint8Array> {
  const response = await fetch(`/data/${name}.bin`);
  if (!response.ok) throw new Error(`/data/${name}.bin: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Copies of consecutive pieces of `bytes` (copies: a reader may transfer what it is given). */
export function pieces(bytes: Uint8Array, lengths: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const length of lengths) {
    out.push(bytes.slice(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.length) throw new Error(`chunks cover ${offset} of ${bytes.length} bytes`);
  return out;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream' };

/** A `Response` whose body hands out `chunks` as fast as it is read. */
export function pulledResponse(chunks: readonly Uint8Array[]): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[i++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}

/**
 * Calls `deliver(i)` for each delivery at its time (ms after `t0`, `performance.now()` clock),
 * late ones at once in order, as a network's buffer catches up with a busy page; then `end()`.
 */
export function schedule(
  deliveries: readonly Delivery[],
  t0: number,
  deliver: (index: number) => void,
  end: () => void,
) {
  let i = 0;
  const tick = () => {
    const now = performance.now() - t0;
    while (i < deliveries.length && (deliveries[i] as Delivery).at <= now) deliver(i++);
    if (i < deliveries.length) setTimeout(tick, (deliveries[i] as Delivery).at - now);
    else end();
  };
  tick();
}

/** Copies of each delivery's bytes, made before the clock starts. */
export function deliveryPieces(bytes: Uint8Array, deliveries: readonly Delivery[]): Uint8Array[] {
  return deliveries.map((d) => bytes.slice(d.offset, d.offset + d.length));
}

/**
 * A `Response` fed on a schedule, as a network would deliver it whatever the page is doing.
 * `onDelivered(i)` is called after piece `i` is enqueued.
 */
export function pacedResponse(
  chunks: readonly Uint8Array[],
  deliveries: readonly Delivery[],
  t0: number,
  onDelivered?: (index: number) => void,
): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      schedule(
        deliveries,
        t0,
        (i) => {
          controller.enqueue(chunks[i] as Uint8Array);
          onDelivered?.(i);
        },
        () => controller.close(),
      );
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}

/** A full collection, when the page runs with `--js-flags=--expose-gc`. */
export function collect() {
  window.gc?.();
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Long tasks (PerformanceObserver 'longtask') from now on. */
export function observeLongTasks() {
  const tasks: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      tasks.push({ start: entry.startTime, duration: entry.duration });
    }
  });
  observer.observe({ type: 'longtask' });
  return {
    /** Stops observing; returns the tasks seen (after the observer's last delivery). */
    async stop() {
      await sleep(0);
      for (const entry of observer.takeRecords()) {
        tasks.push({ start: entry.startTime, duration: entry.duration });
      }
      observer.disconnect();
      return tasks;
    },
  };
}

/** Counts requestAnimationFrame callbacks until stopped. */
export function countAnimationFrames() {
  let count = 0;
  let running = true;
  const loop = () => {
    if (!running) return;
    count++;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  return {
    stop() {
      running = false;
      return count;
    },
  };
}

/** A promise and its resolver. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Sets `window.__bench` once the page has loaded. */
export function expose<Config, Result>(page: BenchPage<Config, Result>) {
  window.__bench = page;
}
