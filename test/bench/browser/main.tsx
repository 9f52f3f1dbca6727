/**
 * The bench page: one of three variants renders the same stream, measured from inside the page
 * (long tasks, React commits, item renders, when frames are on screen). Driven by `run.ts`
 * through `window.__bench`.
 *
 * - hand-rolled: what chat UIs write today: `fetch` → `TextDecoderStream` → eventsource-parser →
 *   `JSON.parse` → `setEvents(prev => [...prev, event])`, and for each image item the latest
 *   base64 found by scanning the events, shown as `<img src={"data:image/png;base64," + b64}>`.
 * - library data-url / object-url: `<PartialImageGallery store>` fed by `store.consume(response)`,
 *   with `imageProps={{ srcMode }}`.
 */

import { EventSourceParserStream } from 'eventsource-parser/stream';
import * as React from 'react';
import { createRoot, type Root } from 'react-dom/client';
import {
  createPartialImagesStore,
  type PartialImageFrame,
  PartialImageGallery,
  type PartialImageGalleryProps,
  type PartialImageItem,
  type PartialImagesStore,
} from '../../../src';
import type { BenchApi, EventWindow, KindStats, RunResult, Variant } from './protocol';
import {
  type BenchFrames,
  type BenchResponse,
  benchResponse,
  type EventKind,
  PARTIALS,
  STREAMING_ID,
  type Step,
  schedule,
} from './stream';

/** Quiet time after the final frame is on screen, so that late work is counted. */
const SETTLE_MS = 400;

type WireEvent = Record<string, unknown> & { type?: string };

// -------------------------------------------------------------------------------------------
// Probes: written by the variants, read by the harness

const probe = {
  measuring: false,
  /** Commits of the Profiler around the gallery. */
  commits: [] as { t: number; ms: number }[],
  /** Item renders: a library Cell (its renderCaption), or a hand-rolled item in the map. */
  renders: [] as { t: number; id: string }[],
  /** Frames on screen: the library's onFrameShown, the hand-rolled `<img>`'s load. */
  shown: [] as { t: number; streaming: boolean; index: number }[],
  /** Called when a frame is shown, so that the harness can wait for one. */
  onShown: null as (() => void) | null,
  objectUrls: { created: 0, revoked: 0 },
};

const now = () => performance.now();

const onRender: React.ProfilerOnRenderCallback = (_id, _phase, actualDuration) => {
  if (probe.measuring) probe.commits.push({ t: now(), ms: actualDuration });
};

function frameShown(streaming: boolean, index: number) {
  probe.shown.push({ t: now(), streaming, index });
  probe.onShown?.();
}

// Count object URLs (made by the library in object-url mode), and which are still alive.
const createObjectURL = URL.createObjectURL.bind(URL);
const revokeObjectURL = URL.revokeObjectURL.bind(URL);
const liveUrls = new Set<string>();
URL.createObjectURL = (object: Blob | MediaSource) => {
  const url = createObjectURL(object);
  probe.objectUrls.created++;
  liveUrls.add(url);
  return url;
};
URL.revokeObjectURL = (url: string) => {
  if (liveUrls.delete(url)) probe.objectUrls.revoked++;
  revokeObjectURL(url);
};

// -------------------------------------------------------------------------------------------
// The layout both use: the library gallery's grid (1, 2, 2, 2×2, then 3 columns)

const columns = (count: number) => (count <= 1 ? 1 : count <= 4 ? 2 : 3);

// -------------------------------------------------------------------------------------------
// (a) hand-rolled

let pushEvents: ((events: readonly WireEvent[]) => void) | null = null;

interface HandImage {
  id: string;
  b64: string | null;
  index: number;
}

/** The latest frame of each image item, found by scanning the events, as chat UIs do. */
function imagesOf(events: readonly WireEvent[]): HandImage[] {
  const images: HandImage[] = [];
  for (const event of events) {
    const item = event.item as { id?: string; type?: string; result?: string } | undefined;
    if (event.type === 'response.output_item.added' && item?.type === 'image_generation_call') {
      images.push({ id: item.id ?? '', b64: null, index: -1 });
    }
  }
  for (const image of images) {
    for (const event of events) {
      if (
        event.type === 'response.image_generation_call.partial_image' &&
        event.item_id === image.id
      ) {
        image.b64 = event.partial_image_b64 as string;
        image.index = event.partial_image_index as number;
      }
      const item = event.item as { id?: string; result?: string } | undefined;
      if (event.type === 'response.output_item.done' && item?.id === image.id && item.result) {
        image.b64 = item.result;
        image.index = PARTIALS;
      }
    }
  }
  return images;
}

function HandRolledGallery() {
  const [events, setEvents] = React.useState<readonly WireEvent[]>([]);
  React.useEffect(() => {
    pushEvents = (more) => setEvents((prev) => [...prev, ...more]);
    return () => {
      pushEvents = null;
    };
  }, []);
  const images = imagesOf(events);
  return (
    <div
      style={{
        display: 'grid',
        gridTemplateColumns: `repeat(${columns(images.length)}, minmax(0, 1fr))`,
        gap: '0.5rem',
      }}
    >
      {images.map((image) => {
        if (probe.measuring) probe.renders.push({ t: now(), id: image.id });
        const streaming = image.id === STREAMING_ID;
        return (
          <figure key={image.id} data-hand-item={image.id} style={{ margin: 0, minWidth: 0 }}>
            {image.b64 === null ? (
              <div style={{ aspectRatio: '1 / 1', background: 'rgba(128, 128, 128, 0.18)' }} />
            ) : (
              <img
                src={`data:image/png;base64,${image.b64}`}
                alt="Generated"
                data-frame-index={image.index}
                onLoad={() => frameShown(streaming, image.index)}
                style={{ display: 'block', width: '100%' }}
              />
            )}
          </figure>
        );
      })}
    </div>
  );
}

/** The hand-rolled client: one `setEvents` per event. */
async function handRolledRead(response: Response) {
  if (!response.body) throw new Error('no body');
  const reader = response.body
    .pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>)
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const event = JSON.parse(value.data) as WireEvent;
    pushEvents?.([event]);
  }
}

// -------------------------------------------------------------------------------------------
// (b), (c) the library

let lastBefore = -1;

const onFrameShown = (frame: PartialImageFrame) =>
  frameShown((frame.sequenceNumber ?? 0) > lastBefore, frame.index);

/** Called on every render of a gallery cell: counts them, shows nothing. */
const renderCaption = (item: PartialImageItem) => {
  if (probe.measuring) probe.renders.push({ t: now(), id: item.id });
  return null;
};

const imageProps: Record<'data-url' | 'object-url', PartialImageGalleryProps['imageProps']> = {
  'data-url': { srcMode: 'data-url', onFrameShown },
  'object-url': { srcMode: 'object-url', onFrameShown },
};

function LibraryGallery(props: { store: PartialImagesStore; mode: 'data-url' | 'object-url' }) {
  return (
    <PartialImageGallery
      store={props.store}
      imageProps={imageProps[props.mode]}
      renderCaption={renderCaption}
    />
  );
}

// -------------------------------------------------------------------------------------------
// The harness

/** Yields to the event loop: a task of its own, without the setTimeout clamp. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function untilTime(time: number) {
  const remaining = time - now();
  if (remaining > 1) await sleep(remaining);
  else await nextTask();
}

/** Two frames painted, the browser idle, garbage collected. */
async function settle() {
  await nextFrame();
  await nextFrame();
  await new Promise((resolve) => requestIdleCallback(resolve, { timeout: 1000 }));
  (globalThis as { gc?: () => void }).gc?.();
  await nextFrame();
  await sleep(100);
}

/** Resolves when `test()` holds, checking after each shown frame and each animation frame. */
async function until(test: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = now() + timeoutMs;
  while (!test()) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Promise.race([
      new Promise<void>((resolve) => {
        probe.onShown = resolve;
      }),
      nextFrame(),
    ]);
  }
  probe.onShown = null;
}

/**
 * Delivers `steps` on their schedule from `t0`, into a Response, as a network would: bytes that
 * are due when the page gets to read them come in one read (a page that is busy sees them
 * batched), and frames keep their quiet time before and after them.
 */
function networkResponse(
  steps: readonly Step[],
  t0: number,
  marks: { t: number; kind: EventKind }[],
  arrivals: number[],
  done: () => void,
): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      void (async () => {
        let shift = 0;
        let last = t0;
        let i = 0;
        while (i < steps.length) {
          const first = steps[i] as Step;
          if (first.quiet > 0) shift = Math.max(shift, last + first.quiet - (t0 + first.at));
          await untilTime(t0 + first.at + shift);
          const t = now();
          for (let step = first; ; ) {
            if (step.starts) marks.push({ t, kind: step.starts });
            controller.enqueue(step.bytes);
            if (step.ends === 'frame') arrivals.push(t);
            const next = steps[++i];
            if (!next || next.quiet > 0 || t0 + next.at + shift > t) break;
            step = next;
          }
          last = now();
        }
        controller.close();
        done();
      })();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

interface Prepared {
  variant: Variant;
  scale: number;
  response: BenchResponse;
  steps: Step[];
  store: PartialImagesStore | null;
}

let prepared: Prepared | null = null;
let root: Root | null = null;
const container = document.getElementById('root') as HTMLElement;

function App(props: { variant: Variant; store: PartialImagesStore | null }) {
  const gallery =
    props.variant === 'hand-rolled' || !props.store ? (
      <HandRolledGallery />
    ) : (
      <LibraryGallery
        store={props.store}
        mode={props.variant === 'library object-url' ? 'object-url' : 'data-url'}
      />
    );
  return (
    <React.Profiler id="gallery" onRender={onRender}>
      {gallery}
    </React.Profiler>
  );
}

async function prepare(variant: Variant, scale: number) {
  const started = now();
  if (prepared) throw new Error('one run per page load: reload between runs');
  const response = benchResponse(scale, frames);
  const steps = schedule(response.streamed);
  const store = variant === 'hand-rolled' ? null : createPartialImagesStore();
  prepared = { variant, scale, response, steps, store };
  lastBefore = response.lastBefore;
  root = createRoot(container);
  root.render(<App variant={variant} store={store} />);
  const mounted = () =>
    variant === 'hand-rolled'
      ? pushEvents !== null
      : container.querySelector('[data-part="gallery"]') !== null;
  await until(mounted, 'the page to mount');
  // The N-1 complete images, received before: the same events for every variant.
  if (store) for (const event of response.before) store.dispatch(event);
  else pushEvents?.(response.before);
  // Shown: loaded and decodable (a library item mounted with its frame shows it at once).
  const onScreen = () =>
    [...container.querySelectorAll('img')].filter((img) => img.complete && img.naturalWidth > 0)
      .length;
  await until(() => onScreen() >= scale - 1, `${scale - 1} complete images on screen`);
  await settle();
  await settle();
  return { setupMs: now() - started };
}

async function run(): Promise<RunResult> {
  if (!prepared) throw new Error('prepare first');
  const { variant, scale, steps, store } = prepared;
  const longTasks: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks.push({ start: entry.startTime, duration: entry.duration });
    }
  });
  observer.observe({ type: 'longtask' });
  await nextTask();

  probe.commits = [];
  probe.renders = [];
  probe.shown = [];
  probe.objectUrls = { created: 0, revoked: 0 };
  liveUrls.clear();
  const marks: { t: number; kind: EventKind }[] = [];
  const arrivals: number[] = [];
  let delivered = false;
  probe.measuring = true;
  performance.mark('bench:t0');
  const t0 = now();
  const body = networkResponse(steps, t0, marks, arrivals, () => {
    delivered = true;
  });
  const reading = store ? store.consume(Promise.resolve(body)) : handRolledRead(body);
  const finalShown = () => probe.shown.some((s) => s.streaming && s.index === PARTIALS);
  await until(() => finalShown() && delivered, 'the final frame on screen', 60_000);
  await reading;
  // On screen means painted: the next frame after it was shown.
  await nextFrame();
  await nextTask();
  const finalOnScreen = now();
  await sleep(SETTLE_MS);
  await new Promise((resolve) => requestIdleCallback(resolve, { timeout: 1000 }));
  const end = now();
  probe.measuring = false;
  for (const entry of observer.takeRecords()) {
    longTasks.push({ start: entry.startTime, duration: entry.duration });
  }
  observer.disconnect();

  // Windows: each event's span, from its first byte to the next event's first byte.
  const windows: EventWindow[] = marks.map((mark, i) => ({
    start: mark.t - t0,
    end: (marks[i + 1]?.t ?? end) - t0,
    kind: mark.kind,
  }));
  const kindAt = (t: number): EventKind | null => {
    let kind: EventKind | null = null;
    for (const window of windows) if (t - t0 >= window.start) kind = window.kind;
    return kind;
  };
  const measured = longTasks.filter((task) => task.start >= t0 && task.start <= end);
  const byKind = {} as Record<EventKind, KindStats>;
  for (const kind of ['text', 'frame', 'other'] as const) {
    const commits = probe.commits.filter((c) => kindAt(c.t) === kind);
    byKind[kind] = {
      events: marks.filter((m) => m.kind === kind).length,
      commits: commits.length,
      renderMs: commits.reduce((sum, c) => sum + c.ms, 0),
      longTaskMs: measured
        .filter((task) => kindAt(task.start) === kind)
        .reduce((sum, task) => sum + task.duration, 0),
    };
  }
  const streamingShown = probe.shown.filter((s) => s.streaming);
  const screen = check(variant, streamingShown);
  // Unmounting releases every object URL.
  const liveAtEnd = liveUrls.size;
  const objectUrls = { ...probe.objectUrls };
  root?.unmount();
  await nextTask();
  const liveAfterUnmount = liveUrls.size;
  const frameLatencyMs = arrivals.map((arrived, index) => {
    const shown = streamingShown.find((s) => s.index === index);
    return shown ? shown.t - arrived : null;
  });

  return {
    variant,
    scale,
    longTasks: measured.map((task) => ({ start: task.start - t0, duration: task.duration })),
    longTaskMs: measured.reduce((sum, task) => sum + task.duration, 0),
    blockingMs: measured.reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0),
    byKind,
    otherItemRenders: probe.renders.filter((r) => r.id !== STREAMING_ID).length,
    streamingItemRenders: probe.renders.filter((r) => r.id === STREAMING_ID).length,
    frameLatencyMs,
    toFinalMs: finalOnScreen - t0,
    windows,
    t0,
    durationMs: end - t0,
    objectUrls: { ...objectUrls, liveAtEnd, liveAfterUnmount },
    check: screen,
  };
}

/** What is on screen: every image shown, the streaming one at its final frame. */
function check(variant: Variant, shown: { index: number }[]): RunResult['check'] {
  const library = variant !== 'hand-rolled';
  const items = [
    ...container.querySelectorAll(library ? '[data-part="gallery-item"]' : '[data-hand-item]'),
  ];
  const frontOf = (item: Element) =>
    item.querySelector<HTMLImageElement>(
      library ? 'img[data-part="frame"]:not([aria-hidden])' : 'img',
    );
  const allShown = items.every((item) => {
    const img = frontOf(item);
    return Boolean(img?.complete) && (img?.naturalWidth ?? 0) > 0;
  });
  const last = items.at(-1);
  // Read once, after the measurement: reading a data URL back copies it.
  const olderBlobUrls = items
    .slice(0, -1)
    .filter((item) => frontOf(item)?.getAttribute('src')?.startsWith('blob:')).length;
  const front = last ? frontOf(last) : null;
  const finalBox = library ? last?.querySelector('[data-final]') : last;
  return {
    items: items.length,
    allShown: allShown && finalBox !== null && finalBox !== undefined,
    finalIndex: front?.getAttribute('data-frame-index') ?? null,
    finalWidth: front?.complete ? front.naturalWidth : 0,
    olderBlobUrls,
    srcScheme: front?.getAttribute('src')?.slice(0, 5) ?? '',
    shownFrames: [...new Set(shown.map((s) => s.index))],
  };
}

// -------------------------------------------------------------------------------------------

let frames: BenchFrames;

async function load() {
  const response = await fetch('./bench-data.json');
  frames = (await response.json()) as BenchFrames;
  const api: BenchApi = { prepare, run };
  window.__bench = api;
}

void load();
