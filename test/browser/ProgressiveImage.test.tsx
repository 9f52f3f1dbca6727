/**
 * In real Chromium: real encoded frames stream into <ProgressiveImage>, and every animation frame
 * is sampled to check what is on screen.
 */

import axe from 'axe-core';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPartialImagesStore,
  type PartialImageFrame,
  PartialImageGallery,
  ProgressiveImage,
  type ProgressiveImageProps,
} from '../../src';
import { imageResponseEvents } from '../fixtures/events';
import type { FrameSet } from '../fixtures/frames/make-frames';
import sets from '../fixtures/frames/small/frames.json';

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

/** Streams `set` into a ProgressiveImage, one event after each shown frame, sampling each rAF. */
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
    <ProgressiveImage
      store={store}
      id="ig_0"
      {...props}
      onFrameShown={(frame) => {
        shown.push(frame);
        onShown?.();
      }}
    />,
  );
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
    store.dispatch(event);
    if (next) await next;
    // Let the browser paint a few frames between events.
    await new Promise<void>((resolve) =>
      requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
    );
  }
  sampling = false;
  return { samples, shown, store };
}

const frameSets = sets as FrameSet[];

describe('ProgressiveImage in Chromium', () => {
  for (const mode of ['data-url', 'object-url'] as const) {
    for (const set of frameSets) {
      it(`${set.format} ${set.width}x${set.height} (${mode}): never blank or undecoded once shown, box never moves`, async () => {
        const { samples, shown } = await streamAndSample(set, { srcMode: mode });
        expect(shown.map((frame) => frame.index)).toEqual([0, 1, 2, 3]);
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
    const { samples } = await streamAndSample(set, { crossfade: 120 });
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
    store.dispatch(events[0]);
    for (const event of events.slice(1, 8)) store.dispatch(event);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const streaming = await axe.run(container);
    expect(streaming.violations).toEqual([]);
    for (const event of events.slice(8)) store.dispatch(event);
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const done = await axe.run(container);
    expect(done.violations).toEqual([]);
    expect(container.querySelectorAll('figure')).toHaveLength(2);
  });
});
