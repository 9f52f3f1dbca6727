/**
 * The decode-before-swap check of `test/browser/ProgressiveImage.test.tsx`, as a page of the
 * installed app, so that any browser can run it (the vitest browser test runs in Chromium only):
 * real frames from `/api/image` stream into `<ProgressiveImage>` one event at a time, a
 * MutationObserver records whether each image had finished `decode()` the moment it was made
 * visible, and every animation frame is sampled. It also probes the engine features the library
 * relies on. The results go to `window.__decode` for the check to read.
 */

import { useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import {
  type PartialImageFrame,
  ProgressiveImage,
  type ProgressiveImageProps,
  usePartialImage,
} from 'react-partial-images';
import {
  createPartialImagesStore,
  normalizeEvent,
  type PartialImagesStore,
  parseSSE,
} from 'react-partial-images/core';

type Format = 'png' | 'webp' | 'jpeg';

/**
 * The size each format's frames are asked for (their aspect ratio), so that the box is reserved
 * from `response.created` on, as in the vitest test; with `auto` nothing is known until the
 * first frame.
 */
const SIZES: Record<Format, string> = { png: '1024x1024', webp: '1536x1024', jpeg: '1024x1536' };

/** One streamed scenario, as the check reads it. */
interface ScenarioResult {
  name: string;
  /** The indices of the frames `onFrameShown` reported, in order. */
  shown: number[];
  /** Images made visible (opacity set to 1), and how many had finished decode() by then. */
  madeVisible: number;
  madeVisibleDecoded: number;
  /** Animation frames sampled from the first visible frame on. */
  samples: number;
  /** Of those: with no visible image, and with a visible image not loaded or not decoded. */
  blank: number;
  undecoded: number;
  /** Samples where two images were visible at once (a crossfade). */
  fading: number;
  /** The box's sizes (`WxH`) seen once the item existed: one, if it never moved. */
  boxSizes: string[];
  /** A frame that was not shown within the guard time (the scenario stopped there). */
  stalled: string | null;
}

/** What the page found, for `window.__decode`. */
interface DecodeReport {
  userAgent: string;
  probes: Record<string, boolean | string>;
  /** decode() calls, and those that resolved on an image not yet `complete` with pixels. */
  decodeCalls: number;
  decodeResolvedIncomplete: number;
  decodeRejected: number;
  scenarios: ScenarioResult[];
  error: string | null;
  done: boolean;
}

const report: DecodeReport = {
  userAgent: navigator.userAgent,
  probes: {},
  decodeCalls: 0,
  decodeResolvedIncomplete: 0,
  decodeRejected: 0,
  scenarios: [],
  error: null,
  done: false,
};
(window as unknown as { __decode: DecodeReport }).__decode = report;

// Which images finished decode(): recorded before the component's own handler runs.
const decoded = new WeakSet<HTMLImageElement>();
const originalDecode = HTMLImageElement.prototype.decode;
HTMLImageElement.prototype.decode = function decode(this: HTMLImageElement) {
  report.decodeCalls++;
  return originalDecode.call(this).then(
    () => {
      if (!this.complete || this.naturalWidth === 0) report.decodeResolvedIncomplete++;
      decoded.add(this);
    },
    (error: unknown) => {
      report.decodeRejected++;
      throw error;
    },
  );
};

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every finite animation on the page has finished (a crossfade, the skeleton's fade). */
const fadesDone = () =>
  Promise.all(
    document
      .getAnimations()
      .filter((animation) => animation.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY)
      .map((animation) => animation.finished.catch(() => {})),
  );

/** The raw events of one response from the relay, read with the packed `parseSSE`. */
async function fetchEvents(format: Format): Promise<Record<string, unknown>[]> {
  const response = await fetch('/api/image', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      prompt: `decode check (${format})`,
      format,
      size: SIZES[format],
      partialImages: 3,
      instant: true,
    }),
  });
  if (!response.ok) throw new Error(`/api/image answered ${response.status}`);
  const events: Record<string, unknown>[] = [];
  for await (const message of parseSSE(response)) {
    events.push(JSON.parse(message.data) as Record<string, unknown>);
  }
  return events;
}

const isFrameEvent = (event: Record<string, unknown>) =>
  event.type === 'response.image_generation_call.partial_image' ||
  (event.type === 'response.output_item.done' &&
    (event.item as { type?: string } | undefined)?.type === 'image_generation_call');

function Streamed(props: ProgressiveImageProps & { store: PartialImagesStore; id: string }) {
  const { store, id, ...rest } = props;
  return <ProgressiveImage {...rest} item={usePartialImage(store, id)} />;
}

async function scenario(
  name: string,
  format: Format,
  props: Partial<ProgressiveImageProps>,
): Promise<ScenarioResult> {
  const events = await fetchEvents(format);
  const added = events.find((event) => event.type === 'response.output_item.added');
  const id = String((added?.item as { id?: string } | undefined)?.id ?? '');
  const container = document.createElement('div');
  container.style.width = '480px';
  document.body.append(container);
  const root = createRoot(container);
  const store = createPartialImagesStore();
  const shown: PartialImageFrame[] = [];
  let onShown: (() => void) | null = null;
  root.render(
    <Streamed
      store={store}
      id={id}
      {...props}
      onFrameShown={(frame) => {
        shown.push(frame);
        onShown?.();
      }}
    />,
  );

  // The moment an image is made visible it must have finished decode() (a sample at the next
  // animation frame could come too late to see a swap that did not wait).
  let madeVisible = 0;
  let madeVisibleDecoded = 0;
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const img = record.target as HTMLImageElement;
      if (img.dataset.part !== 'frame' || img.style.opacity !== '1') continue;
      if ((record.oldValue ?? '').includes('opacity: 1')) continue;
      madeVisible++;
      if (decoded.has(img) || img.getAttribute('src') === null) madeVisibleDecoded++;
    }
  });
  observer.observe(container, {
    subtree: true,
    attributes: true,
    attributeFilter: ['style'],
    attributeOldValue: true,
  });

  const result: ScenarioResult = {
    name,
    shown: [],
    madeVisible: 0,
    madeVisibleDecoded: 0,
    samples: 0,
    blank: 0,
    undecoded: 0,
    fading: 0,
    boxSizes: [],
    stalled: null,
  };
  const sizes = new Set<string>();
  let seenVisible = false;
  let sampling = true;
  const sample = () => {
    const box = container.firstElementChild;
    if (box) {
      const visible = [...box.querySelectorAll<HTMLImageElement>('img[data-part="frame"]')].filter(
        (img) => Number(getComputedStyle(img).opacity) > 0,
      );
      if (visible.length > 0) seenVisible = true;
      if (seenVisible) {
        result.samples++;
        if (visible.length === 0) result.blank++;
        if (visible.length > 1) result.fading++;
        const ok = visible.every((img) => img.complete && img.naturalWidth > 0 && decoded.has(img));
        if (!ok) result.undecoded++;
      }
      if (box.getAttribute('data-state') !== 'idle') {
        const rect = box.getBoundingClientRect();
        sizes.add(`${Math.round(rect.width)}x${Math.round(rect.height)}`);
      }
    }
    if (sampling) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);

  try {
    for (const event of events) {
      const next = isFrameEvent(event)
        ? new Promise<boolean>((resolve) => {
            onShown = () => resolve(true);
          })
        : null;
      store.dispatch(normalizeEvent(event));
      // A guard, not a measurement: a frame that never shows stops the scenario, not the page.
      if (next && !(await Promise.race([next, sleep(15_000).then(() => false)]))) {
        result.stalled = `frame ${shown.length} of ${name} was not shown`;
        break;
      }
      await fadesDone();
      // Let the browser paint a few frames between events.
      await nextFrame();
      await nextFrame();
    }
  } finally {
    sampling = false;
    observer.disconnect();
  }
  result.shown = shown.map((frame) => frame.index);
  result.madeVisible = madeVisible;
  result.madeVisibleDecoded = madeVisibleDecoded;
  result.boxSizes = [...sizes];
  root.unmount();
  container.remove();
  return result;
}

/** Can a ReadableStream be transferred to another realm (postMessage with a transfer list)? */
async function transferableStreams(): Promise<boolean> {
  try {
    const stream = new ReadableStream<number>({
      start(controller) {
        controller.enqueue(42);
        controller.close();
      },
    });
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<ReadableStream<number>>((resolve) => {
      port2.onmessage = (event) => resolve(event.data as ReadableStream<number>);
    });
    port1.postMessage(stream, [stream as unknown as Transferable]);
    const copy = await Promise.race([received, sleep(3000).then(() => null)]);
    port1.close();
    port2.close();
    if (!copy) return false;
    const { value } = await copy.getReader().read();
    return value === 42;
  } catch {
    return false;
  }
}

/** Does a module Worker start (from a Blob URL, so that no bundler is involved)? */
async function moduleWorker(): Promise<boolean> {
  const url = URL.createObjectURL(
    new Blob(['postMessage(typeof Uint8Array.fromBase64)'], { type: 'text/javascript' }),
  );
  try {
    const worker = new Worker(url, { type: 'module' });
    const answer = await Promise.race([
      new Promise<string>((resolve) => {
        worker.onmessage = (event) => resolve(String(event.data));
        worker.onerror = () => resolve('error');
      }),
      sleep(3000).then(() => 'timeout'),
    ]);
    worker.terminate();
    report.probes.workerFromBase64 = answer;
    return answer !== 'error' && answer !== 'timeout';
  } catch {
    return false;
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function run() {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64;
  report.probes.uint8ArrayFromBase64 = typeof fromBase64 === 'function';
  report.probes.imageDecode = typeof originalDecode === 'function';
  report.probes.transferableStreams = await transferableStreams();
  report.probes.moduleWorker = await moduleWorker();
  const plans: [string, Format, Partial<ProgressiveImageProps>][] = [
    ['png data-url', 'png', { srcMode: 'data-url' }],
    ['png object-url', 'png', { srcMode: 'object-url' }],
    ['webp data-url', 'webp', { srcMode: 'data-url' }],
    ['webp object-url', 'webp', { srcMode: 'object-url' }],
    ['jpeg data-url', 'jpeg', { srcMode: 'data-url' }],
    ['jpeg object-url', 'jpeg', { srcMode: 'object-url' }],
    ['png crossfade 400 ms', 'png', { crossfade: 400 }],
  ];
  for (const [name, format, props] of plans) {
    report.scenarios.push(await scenario(name, format, props));
  }
}

function Page() {
  useEffect(() => {
    run()
      .catch((error: unknown) => {
        report.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      })
      .finally(() => {
        report.done = true;
        document.body.dataset.done = '';
      });
  }, []);
  return <h1>decode before swap</h1>;
}

createRoot(document.getElementById('root') as HTMLElement).render(<Page />);
