/**
 * Section 2 page: one image (3 partials + the final, 1024 px PNG) streams on a provider's
 * schedule and renders; the runner traces the main thread meanwhile.
 *
 * - library data-url / object-url: `usePartialImages(response)` (default options) and
 *   `<ProgressiveImage item srcMode>`.
 * - reference A: a Worker parses the bytes (posted to it, transferred) and posts each frame's
 *   base64; the main thread sets a data URL on a hidden `<img>`, awaits `decode()`, swaps.
 * - reference B: the Worker also decodes the base64 and posts the bytes (transferred); the main
 *   thread makes a Blob URL, awaits `decode()`, swaps, and revokes the previous URL.
 */

import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { type PartialImageFrame, ProgressiveImage, usePartialImages } from '../../../../src';
import type { Delivery } from '../../shared/wire';
import type { FrameConfig, FrameResult } from '../protocol';
import type { FromWorker, ToWorker } from './frame-worker';
import {
  deferred,
  deliveryPieces,
  expose,
  fetchBytes,
  observeLongTasks,
  pacedResponse,
  schedule,
  sleep,
} from './page';

const BOX = 512;
const container = document.getElementById('root') as HTMLElement;
let config: FrameConfig;
let chunks: Uint8Array[];
const shown: number[] = [];
let finalShown = deferred<number>();

function frameShown(index: number, isFinal: boolean) {
  shown.push(index);
  if (isFinal) finalShown.resolve(performance.now());
}

// ------------------------------------------------------------------------------------ library

let start: ((response: Response) => void) | null = null;
const onFrameShown = (frame: PartialImageFrame) => frameShown(frame.index, frame.isFinal);

function LibraryView({ srcMode }: { srcMode: 'data-url' | 'object-url' }) {
  const [source, setSource] = React.useState<Response | null>(null);
  React.useEffect(() => {
    start = setSource;
  }, []);
  const { items } = usePartialImages(source);
  return (
    <div style={{ width: BOX }}>
      <ProgressiveImage item={items[0] ?? null} srcMode={srcMode} onFrameShown={onFrameShown} />
    </div>
  );
}

// ---------------------------------------------------------------------------------- reference

let worker: Worker | null = null;

/** Two stacked `<img>`: a frame loads into the hidden one and is swapped in once decoded. */
function referenceView() {
  const box = document.createElement('div');
  box.style.cssText = `position:relative;width:${BOX}px;aspect-ratio:1/1;overflow:hidden`;
  const images = [0, 1].map(() => {
    const img = document.createElement('img');
    img.decoding = 'async';
    img.alt = '';
    img.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;opacity:0';
    box.append(img);
    return img;
  });
  container.append(box);
  let front = -1;
  let frontUrl: string | null = null;
  let waiting: { index: number; src: string; url: string | null } | null = null;
  let busy = false;
  // One decode at a time; a frame that arrives meanwhile takes the place of any still waiting.
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (waiting) {
      const next = waiting;
      waiting = null;
      const back = images[front === 0 ? 1 : 0] as HTMLImageElement;
      back.src = next.src;
      try {
        await back.decode();
      } catch {
        if (next.url) URL.revokeObjectURL(next.url);
        continue;
      }
      back.style.opacity = '1';
      back.style.zIndex = '2';
      back.dataset.front = '';
      back.dataset.frameIndex = String(next.index);
      const old = images[front] as HTMLImageElement | undefined;
      if (old) {
        old.style.opacity = '0';
        old.style.zIndex = '0';
        delete old.dataset.front;
      }
      front = front === 0 ? 1 : 0;
      if (frontUrl) URL.revokeObjectURL(frontUrl);
      frontUrl = next.url;
      frameShown(next.index, next.index === 3);
    }
    busy = false;
  };
  return (message: FromWorker) => {
    if (message.type !== 'frame') return;
    if (waiting?.url) URL.revokeObjectURL(waiting.url);
    if ('b64' in message) {
      waiting = { index: message.index, src: `data:image/png;base64,${message.b64}`, url: null };
    } else {
      const url = URL.createObjectURL(
        new Blob([message.bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
      );
      waiting = { index: message.index, src: url, url };
    }
    void pump();
  };
}

// ---------------------------------------------------------------------------------------------

function frontImage(): HTMLImageElement | null {
  return container.querySelector<HTMLImageElement>(
    'img[data-part="frame"]:not([aria-hidden]), img[data-front]',
  );
}

expose<FrameConfig, FrameResult>({
  async prepare(next) {
    config = next;
    const bytes = await fetchBytes(config.data);
    chunks = deliveryPieces(bytes, config.deliveries);
    const { variant } = config;
    if (variant === 'library data-url' || variant === 'library object-url') {
      const root = createRoot(container);
      root.render(
        <LibraryView srcMode={variant === 'library data-url' ? 'data-url' : 'object-url'} />,
      );
      while (!start) await sleep(10);
      return;
    }
    const onFrame = referenceView();
    const w = new Worker(new URL('./frame-worker.ts', import.meta.url), { type: 'module' });
    const ready = deferred();
    w.onmessage = (event: MessageEvent<FromWorker>) => {
      if (event.data.type === 'ready') ready.resolve();
      else onFrame(event.data);
    };
    const mode = variant === 'reference A (worker, data URL)' ? 'b64' : 'bytes';
    w.postMessage({ type: 'init', mode } satisfies ToWorker);
    await ready.promise;
    worker = w;
  },
  async run() {
    shown.length = 0;
    finalShown = deferred<number>();
    const longTasks = observeLongTasks();
    const finalEnd = config.frameEnds[3] as number;
    let finalArrived = Number.NaN;
    const delivered = (i: number) => {
      if (i === finalEnd) finalArrived = performance.now();
    };
    performance.mark('bench:t0');
    const t0 = performance.now();
    if (worker) {
      const w = worker;
      schedule(
        config.deliveries as Delivery[],
        t0,
        (i) => {
          const chunk = chunks[i] as Uint8Array;
          w.postMessage({ type: 'chunk', chunk } satisfies ToWorker, [chunk.buffer as ArrayBuffer]);
          delivered(i);
        },
        () => w.postMessage({ type: 'end' } satisfies ToWorker),
      );
    } else {
      start?.(pacedResponse(chunks, config.deliveries, t0, delivered));
    }
    const timeout = sleep(30_000).then(() => Number.NaN);
    const finalAt = await Promise.race([finalShown.promise, timeout]);
    await sleep(config.settleMs);
    performance.mark('bench:end');
    const end = performance.now();
    const front = frontImage();
    return {
      shown: [...shown],
      durationMs: end - t0,
      finalLatencyMs: finalAt - finalArrived,
      toFinalMs: finalAt - t0,
      longTasks: (await longTasks.stop())
        .filter((task) => task.start >= t0)
        .map((task) => task.duration),
      check: {
        width: front?.naturalWidth ?? 0,
        scheme: front?.getAttribute('src')?.slice(0, 5) ?? '',
        front: front?.getAttribute('data-frame-index') ?? '',
      },
    };
  },
});
