/**
 * In real Chromium: real encoded frames stream into <ProgressiveImage>, and every animation frame
 * is sampled to check what is on screen.
 */

import axe from 'axe-core';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type PartialImageFrame,
  PartialImageGallery,
  type PartialImagesStore,
  ProgressiveImage,
  type ProgressiveImageProps,
  usePartialImage,
} from '../../src';
import { createPartialImagesStore, normalizeEvent } from '../../src/core';
import { imageResponseEvents } from '../fixtures/events';
import { type FrameSet, smallFrames } from '../fixtures/frames';

interface Sample {
  /** The box's data-state. */
  state: string;
  /** Images painted with some opacity. */
  visible: HTMLImageElement[];
  /** Every visible image is loaded and finished decode() before it was shown. */
  allDecoded: boolean;
  width: number;
  height: number;
}

// Which images finished decode() — recorded before the component's own handler runs.
const decoded = new WeakSet<HTMLImageElement>();
const originalDecode = HTMLImageElement.prototype.decode;
let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  HTMLImageElement.prototype.decode = function decode(this: HTMLImageElement) {
    return originalDecode.call(this).then(() => {
      decoded.add(this);
    });
  };
  container = document.createElement('div');
  container.style.width = '480px';
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  root.unmount();
  container.remove();
  HTMLImageElement.prototype.decode = originalDecode;
});

const visibleIn = (box: Element) =>
  [...box.querySelectorAll<HTMLImageElement>('img[data-part="frame"]')].filter(
    (img) => Number(getComputedStyle(img).opacity) > 0,
  );

function Streamed(props: ProgressiveImageProps & { store: PartialImagesStore }) {
  const { store, ...rest } = props;
  return <ProgressiveImage {...rest} item={usePartialImage(store, 'ig_0')} />;
}

/** Every animation running on the page has finished (a crossfade, the skeleton's aside). */
const fadesDone = () =>
  Promise.all(
    document
      .getAnimations()
      .filter((animation) => animation.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY)
      .map((animation) => animation.finished.catch(() => {})),
  );

/**
 * Streams `set` into a ProgressiveImage, one event after each shown frame (and its fade), and
 * samples what is on screen at every animation frame.
 */
async function streamAndSample(set: FrameSet, props: Partial<ProgressiveImageProps> = {}) {
  const store = createPartialImagesStore();
  const events = imageResponseEvents({
    format: set.format,
    size: `${set.width}x${set.height}`,
    partials: 3,
    frame: (_, k) => set.frames[Math.min(k, 3)] as string,
  });
  const shown: PartialImageFrame[] = [];
  let onShown: (() => void) | null = null;
  root.render(
    <Streamed
      store={store}
      {...props}
      onFrameShown={(frame) => {
        shown.push(frame);
        onShown?.();
      }}
    />,
  );
  // The moment an image is made visible, it must have finished decode() (a rAF sample can come
  // too late to see a swap that did not wait).
  const madeVisible: { decoded: boolean }[] = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const img = record.target as HTMLImageElement;
      if (img.dataset.part !== 'frame' || img.style.opacity !== '1') continue;
      if ((record.oldValue ?? '').includes('opacity: 1')) continue;
      madeVisible.push({ decoded: decoded.has(img) || img.getAttribute('src') === null });
    }
  });
  observer.observe(container, {
    subtree: true,
    attributes: true,
    attributeFilter: ['style'],
    attributeOldValue: true,
  });
  const samples: Sample[] = [];
  let sampling = true;
  const sample = () => {
    const box = container.firstElementChild;
    if (box) {
      const visible = visibleIn(box);
      const rect = box.getBoundingClientRect();
      samples.push({
        state: box.getAttribute('data-state') ?? '',
        visible,
        allDecoded: visible.every(
          (img) => img.complete && img.naturalWidth > 0 && decoded.has(img),
        ),
        width: rect.width,
        height: rect.height,
      });
    }
    if (sampling) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);

  for (const event of events) {
    const isFrame =
      event.type === 'response.image_generation_call.partial_image' ||
      (event.type === 'response.output_item.done' &&
        (event.item as { type?: string }).type === 'image_generation_call');
    const next = isFrame ? new Promise<void>((resolve) => (onShown = resolve)) : null;
    store.dispatch(normalizeEvent(event));
    if (next) await next;
    await fadesDone();
    // Let the browser paint a few frames between events.
    await new Promise<void>((resolve) =>
      requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
    );
  }
  sampling = false;
  observer.disconnect();
  return { samples, shown, store, madeVisible };
}

const frameSets = smallFrames;

describe('ProgressiveImage in Chromium', () => {
  for (const mode of ['data-url', 'object-url'] as const) {
    for (const set of frameSets) {
      it(`${set.format} ${set.width}x${set.height} (${mode}): never blank or undecoded once shown, box never moves`, async () => {
        const { samples, shown, madeVisible } = await streamAndSample(set, { srcMode: mode });
        expect(shown.map((frame) => frame.index)).toEqual([0, 1, 2, 3]);
        expect(madeVisible.length).toBeGreaterThanOrEqual(4);
        expect(madeVisible.every((swap) => swap.decoded)).toBe(true);
        expect(shown.at(-1)?.isFinal).toBe(true);
        const first = samples.findIndex((s) => s.visible.length > 0);
        expect(first).toBeGreaterThan(-1);
        expect(samples.length - first).toBeGreaterThan(8);
        for (const s of samples.slice(first)) {
          expect(s.visible.length).toBeGreaterThan(0);
          expect(s.allDecoded).toBe(true);
        }
        // From the placeholder (the item exists, its size declared) to the final, the box is
        // the same; before response.created no size is known.
        const sized = samples.filter((s) => s.state !== 'idle');
        expect(new Set(sized.map((s) => `${s.width}x${s.height}`)).size).toBe(1);
        expect(sized[0]?.width).toBe(480);
        expect(sized[0]?.height).toBeCloseTo((480 * set.height) / set.width, 0);
      });
    }
  }

  it('crossfades without a blank frame', async () => {
    const set = frameSets[0] as FrameSet;
    // Long enough for many animation frames to fall inside each fade.
    const { samples, madeVisible } = await streamAndSample(set, { crossfade: 400 });
    expect(madeVisible.every((swap) => swap.decoded)).toBe(true);
    const first = samples.findIndex((s) => s.visible.length > 0);
    const fading = samples.filter((s) => s.visible.length === 2);
    expect(fading.length).toBeGreaterThan(0);
    for (const s of samples.slice(first)) {
      expect(s.visible.length).toBeGreaterThan(0);
      expect(s.allDecoded).toBe(true);
    }
  });

  it('has no axe violations while streaming and when complete', async () => {
    const store = createPartialImagesStore();
    const set = frameSets[1] as FrameSet;
    const events = imageResponseEvents({
      items: 2,
      format: set.format,
      frame: (_, k) => set.frames[Math.min(k, 3)] as string,
    });
    root.render(
      <main>
        <h1>Images</h1>
        <PartialImageGallery
          store={store}
          renderCaption={(item) => <span>{item.revisedPrompt}</span>}
        />
      </main>,
    );
    store.dispatch(normalizeEvent(events[0]));
    for (const event of events.slice(1, 8)) store.dispatch(normalizeEvent(event));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const streaming = await axe.run(container);
    expect(streaming.violations).toEqual([]);
    for (const event of events.slice(8)) store.dispatch(normalizeEvent(event));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const done = await axe.run(container);
    expect(done.violations).toEqual([]);
    expect(container.querySelectorAll('figure')).toHaveLength(2);
  });
});
