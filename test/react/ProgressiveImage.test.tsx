import { act, render } from '@testing-library/react';
import * as React from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PartialImageGallery,
  type PartialImageItem,
  type PartialImagesState,
  ProgressiveImage,
  usePartialImage,
  usePartialImages,
} from '../../src';
import {
  createPartialImagesStore,
  initialPartialImagesState,
  normalizeEvent,
  reducePartialImages,
} from '../../src/core';
import { controlDecode, type DecodeControl } from '../fixtures/decode';
import { imageResponseEvents } from '../fixtures/events';

let decode: DecodeControl;
beforeEach(() => {
  decode = controlDecode();
});
afterEach(() => {
  decode.restore();
  vi.unstubAllGlobals();
});

/** The item states a stream goes through, one per event that changed it. */
function itemStates(events = imageResponseEvents({ partials: 2 })): PartialImageItem[] {
  const out: PartialImageItem[] = [];
  let state: PartialImagesState = initialPartialImagesState;
  for (const raw of events) {
    const event = normalizeEvent(raw);
    if (event) state = reducePartialImages(state, event);
    const item = state.items[0];
    if (item && item !== out.at(-1)) out.push(item);
  }
  return out;
}

/** Lets the component's decode callbacks (promises already settled) run, inside act. */
const flush = () => act(async () => {});

const root = (container: HTMLElement) => container.firstElementChild as HTMLElement;
const frontImage = (container: HTMLElement) =>
  [...container.querySelectorAll('img')].find(
    (img) => img.style.opacity === '1' && img.style.zIndex === '2',
  );

describe('<ProgressiveImage>', () => {
  it('shows a frame it is mounted with at once (server rendering, remounts)', () => {
    const partial = itemStates().find((s) => s.latest) as PartialImageItem;
    const { container } = render(<ProgressiveImage item={partial} />);
    expect(frontImage(container)?.getAttribute('src')).toBe(partial.latest?.src);
  });

  it('reserves the box from item.size and shows a placeholder before any frame', () => {
    const [pending] = itemStates();
    const { container } = render(<ProgressiveImage item={pending} />);
    const box = root(container);
    expect(box).toHaveAttribute('data-state', 'pending');
    expect(box).toHaveAttribute('aria-busy', 'true');
    expect(box.style.aspectRatio).toBe('1536 / 1024');
    expect(container.querySelector('[data-part="placeholder"]')).not.toBeNull();
    expect(container.querySelector('img')).toBeNull();
  });

  it('keeps the frame on screen until the next one has decoded, then swaps in one commit', async () => {
    decode.manual = true;
    const states = itemStates();
    const partial0 = states.find((s) => s.latest?.index === 0) as PartialImageItem;
    const partial1 = states.find((s) => s.latest?.index === 1) as PartialImageItem;
    const { container, rerender } = render(<ProgressiveImage item={states[0]} />);
    rerender(<ProgressiveImage item={partial0} />);
    await flush();
    // Frame 0 loads hidden; the placeholder stays until it decodes.
    expect(frontImage(container)).toBeUndefined();
    expect(container.querySelector('[data-part="placeholder"]')).not.toBeNull();
    await act(async () => decode.pending.shift()?.resolve());
    expect(frontImage(container)?.getAttribute('src')).toBe(partial0.latest?.src);
    expect(root(container)).toHaveAttribute('data-partial-index', '0');
    expect(container.querySelector('[data-part="placeholder"]')).not.toBeVisible();

    rerender(<ProgressiveImage item={partial1} />);
    await flush();
    // Frame 1 is in the second <img>, invisible; frame 0 is still what is shown.
    const images = container.querySelectorAll('img');
    expect(images).toHaveLength(2);
    expect(frontImage(container)?.getAttribute('src')).toBe(partial0.latest?.src);
    const hidden = [...images].find((img) => img.getAttribute('src') === partial1.latest?.src);
    expect(hidden?.style.opacity).toBe('0');
    expect(hidden).toHaveAttribute('aria-hidden', 'true');
    const before = [...container.querySelectorAll('img')];
    await act(async () => decode.pending.shift()?.resolve());
    // The element that decoded frame 1 is now the visible one: no reload, no blank commit.
    expect(frontImage(container)).toBe(hidden);
    expect(root(container)).toHaveAttribute('data-partial-index', '1');
    // The same two elements (no commit happened): frame 0's is hidden, out of the a11y tree.
    expect([...container.querySelectorAll('img')]).toEqual(before);
    const old = before.find((img) => img !== hidden);
    expect(old?.style.opacity).toBe('0');
    expect(old).toHaveAttribute('aria-hidden', 'true');
    expect(frontImage(container)).not.toHaveAttribute('aria-hidden');
  });

  it('swaps a decoded frame in without another React render, and keeps one image once final', async () => {
    const states = itemStates();
    let renders = 0;
    function Counted({ item }: { item: PartialImageItem }) {
      return (
        <React.Profiler id="image" onRender={() => renders++}>
          <ProgressiveImage item={item} />
        </React.Profiler>
      );
    }
    decode.manual = true;
    const { container, rerender } = render(<Counted item={states[0] as PartialImageItem} />);
    const perFrame: number[] = [];
    for (const state of states.slice(1)) {
      const start = renders;
      rerender(<Counted item={state} />);
      await flush();
      await act(async () => {
        for (const pending of decode.pending.splice(0)) pending.resolve();
      });
      await flush();
      if (state.latest && state !== states[1]) perFrame.push(renders - start);
    }
    // One render for each new frame; the decode and the swap cost none. Once the final is on
    // screen, one more render lets React's other copy of the props (the previews) go.
    expect(perFrame).toEqual([1, 1, 2]);
    expect(root(container)).toHaveAttribute('data-final');
    // The hidden element let its picture go: one image holds a source.
    expect(container.querySelectorAll('img[src]')).toHaveLength(1);
  });

  it('skips a frame that cannot decode and keeps the previous one', async () => {
    const states = itemStates();
    const partial0 = states.find((s) => s.latest?.index === 0) as PartialImageItem;
    const partial1 = states.find((s) => s.latest?.index === 1) as PartialImageItem;
    decode.broken.add(partial1.latest?.src ?? '');
    const errors: number[] = [];
    const { container, rerender } = render(
      <ProgressiveImage item={partial0} onFrameError={(frame) => errors.push(frame.index)} />,
    );
    await flush();
    rerender(
      <ProgressiveImage item={partial1} onFrameError={(frame) => errors.push(frame.index)} />,
    );
    await flush();
    expect(errors).toEqual([1]);
    expect(frontImage(container)?.getAttribute('src')).toBe(partial0.latest?.src);
  });

  it('shows the final image, marks it final, and announces progress in one live region', async () => {
    const states = itemStates();
    const { container, rerender } = render(<ProgressiveImage item={states[0]} partialImages={2} />);
    const status = container.querySelector('[aria-live="polite"]');
    const texts: string[] = [];
    for (const state of states) {
      rerender(<ProgressiveImage item={state} partialImages={2} />);
      await flush();
      const text = status?.textContent ?? '';
      if (text !== texts.at(-1)) texts.push(text);
      // The live region is never re-mounted.
      expect(container.querySelector('[aria-live="polite"]')).toBe(status);
    }
    expect(texts).toEqual([
      'Generating image…',
      'Preview 1 of 2.',
      'Preview 2 of 2.',
      'Image ready.',
    ]);
    const box = root(container);
    expect(box).toHaveAttribute('data-state', 'completed');
    expect(box).toHaveAttribute('data-final');
    expect(box).not.toHaveAttribute('aria-busy');
    expect(frontImage(container)).toHaveAttribute('alt', 'A revised prompt for image 0');
  });

  it('keeps the last frame under an error slot when the item fails', async () => {
    const events = imageResponseEvents({
      partials: 2,
      ending: 'failed',
      skipItemDone: true,
      resultsInCompleted: false,
    });
    const states = itemStates(events);
    const failed = states.at(-1) as PartialImageItem;
    expect(failed.status).toBe('failed');
    const partial = states.find((s) => s.latest?.index === 1) as PartialImageItem;
    const { container, rerender } = render(<ProgressiveImage item={partial} />);
    await flush();
    rerender(
      <ProgressiveImage item={failed} errorFallback={(error) => <p>Failed: {error?.code}</p>} />,
    );
    await flush();
    expect(root(container)).toHaveAttribute('data-state', 'failed');
    expect(container.textContent).toContain('Failed: response-failed');
    expect(frontImage(container)?.getAttribute('src')).toBe(partial.latest?.src);
    expect(container.querySelector('[aria-live]')?.textContent).toBe('Image failed.');
  });

  it('spreads props, merges style and className, forwards the ref, takes alt', () => {
    const ref = React.createRef<HTMLDivElement>();
    const [pending] = itemStates();
    const { container } = render(
      <ProgressiveImage
        ref={ref}
        item={pending}
        className="rounded"
        style={{ borderRadius: 8 }}
        data-testid="img"
        title="A picture"
        alt="A cat"
        width={300}
        onClick={() => {}}
      />,
    );
    const box = root(container);
    expect(ref.current).toBe(box);
    expect(box).toHaveClass('rounded');
    expect(box).toHaveAttribute('data-testid', 'img');
    expect(box).toHaveAttribute('title', 'A picture');
    expect(box.style.borderRadius).toBe('8px');
    expect(box.style.width).toBe('300px');
    expect(box.style.position).toBe('relative');
  });

  it('in object-url mode, creates Blob URLs and revokes them when replaced and on unmount', async () => {
    let next = 0;
    const created: string[] = [];
    const revoked: string[] = [];
    vi.stubGlobal(
      'URL',
      Object.assign(class extends URL {}, {
        createObjectURL: () => {
          const url = `blob:test/${next++}`;
          created.push(url);
          return url;
        },
        revokeObjectURL: (url: string) => revoked.push(url),
      }),
    );
    const states = itemStates();
    const { container, rerender, unmount } = render(
      <ProgressiveImage item={states[0]} srcMode="object-url" />,
    );
    for (const state of states) {
      rerender(<ProgressiveImage item={state} srcMode="object-url" />);
      await flush();
    }
    expect(created).toEqual(['blob:test/0', 'blob:test/1', 'blob:test/2']);
    expect(frontImage(container)?.getAttribute('src')).toBe('blob:test/2');
    expect(revoked).toEqual(['blob:test/0', 'blob:test/1']);
    unmount();
    await Promise.resolve(); // released right after the unmount (not in StrictMode's fake one)
    expect(revoked).toEqual(['blob:test/0', 'blob:test/1', 'blob:test/2']);
  });

  it('uses an object URL for a frame it is mounted with, but a data URL when hydrating', async () => {
    vi.stubGlobal(
      'URL',
      Object.assign(class extends URL {}, {
        createObjectURL: () => 'blob:test/mounted',
        revokeObjectURL: () => {},
      }),
    );
    const final = itemStates().at(-1) as PartialImageItem;
    const { container } = render(<ProgressiveImage item={final} srcMode="object-url" />);
    expect(frontImage(container)?.getAttribute('src')).toBe('blob:test/mounted');
    const html = renderToString(<ProgressiveImage item={final} srcMode="object-url" />);
    expect(html).toContain(`src="${final.final?.src}"`);
  });

  it('fades a new frame in unless the user prefers reduced motion', async () => {
    const animate = vi.fn(() => ({ finished: new Promise(() => {}), cancel: () => {} }));
    Object.defineProperty(HTMLElement.prototype, 'animate', { configurable: true, value: animate });
    let reduce = false;
    // One list per query, as browsers keep it: its `matches` follows the setting.
    vi.stubGlobal('matchMedia', (query: string) => ({
      get matches() {
        return query.includes('reduce') ? reduce : false;
      },
      addEventListener: () => {},
      removeEventListener: () => {},
    }));
    const states = itemStates().filter((s) => s.latest);
    const view = render(<ProgressiveImage item={states[0]} crossfade placeholder={null} />);
    await flush();
    view.rerender(<ProgressiveImage item={states[1]} crossfade placeholder={null} />);
    await flush();
    const fades = () =>
      animate.mock.calls.filter((call) => JSON.stringify(call).includes('"opacity":0')).length;
    expect(fades()).toBe(1);
    view.unmount();
    reduce = true;
    const calm = render(<ProgressiveImage item={states[0]} crossfade placeholder={null} />);
    await flush();
    calm.rerender(<ProgressiveImage item={states[1]} crossfade placeholder={null} />);
    await flush();
    expect(fades()).toBe(1);
    delete (HTMLElement.prototype as { animate?: unknown }).animate;
  });

  it('shows one item of a store through usePartialImage, re-rendering for that item only', async () => {
    const store = createPartialImagesStore();
    let renders = 0;
    function One({ id }: { id: string }) {
      const item = usePartialImage(store, id);
      renders++;
      return <ProgressiveImage item={item} />;
    }
    const { container } = render(<One id="ig_1" />);
    expect(root(container)).toHaveAttribute('data-state', 'idle');
    let changes = 0;
    for (const event of imageResponseEvents({ items: 2 })) {
      const before = store.getState().items.find((item) => item.id === 'ig_1');
      act(() => store.dispatch(normalizeEvent(event)));
      if (store.getState().items.find((item) => item.id === 'ig_1') !== before) changes++;
    }
    await flush();
    expect(root(container)).toHaveAttribute('data-state', 'completed');
    expect(frontImage(container)?.getAttribute('src')).toBe(store.getState().items[1]?.final?.src);
    // One render per change of ig_1 (added, generating, previews, final), and one once it is
    // done (to let go of the previews); ig_0's changes cost none.
    expect(changes).toBeGreaterThanOrEqual(4);
    expect(renders).toBe(1 + changes + 1);
  });

  it('renders on the server, then hydrates without a mismatch', async () => {
    const states = itemStates();
    const partial = states.find((s) => s.latest?.index === 1) as PartialImageItem;
    const html = renderToString(<ProgressiveImage item={partial} alt="A cat" />);
    expect(html).toContain(`src="${partial.latest?.src}"`);
    expect(html).toContain('data-state="partial"');
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const hydrated = await act(async () =>
      hydrateRoot(container, <ProgressiveImage item={partial} alt="A cat" />),
    );
    await flush();
    expect(errors).not.toHaveBeenCalled();
    expect(frontImage(container)?.getAttribute('src')).toBe(partial.latest?.src);
    act(() => hydrated.unmount());
    container.remove();
  });
});

describe('<PartialImageGallery>', () => {
  it('renders every image in order, with captions, in a layout for 1 to 4 images', async () => {
    for (const count of [1, 2, 3, 4]) {
      const store = createPartialImagesStore();
      act(() => {
        for (const event of imageResponseEvents({ items: count }))
          store.dispatch(normalizeEvent(event));
      });
      const { container, unmount } = render(
        <PartialImageGallery
          store={store}
          renderCaption={(item) =>
            item.final && (
              <a href={item.final.src} download>
                Download {item.id}
              </a>
            )
          }
        />,
      );
      await flush();
      const gallery = root(container);
      expect(gallery).toHaveAttribute('data-count', String(count));
      expect(gallery.style.gridTemplateColumns).toBe(
        `repeat(${count === 1 ? 1 : 2}, minmax(0, 1fr))`,
      );
      const figures = container.querySelectorAll('figure');
      expect([...figures].map((f) => f.querySelector('a')?.textContent)).toEqual(
        Array.from({ length: count }, (_, i) => `Download ig_${i}`),
      );
      expect(figures[0]?.style.gridColumn).toBe(count === 3 ? '1 / -1' : '');
      unmount();
    }
  });

  it('streams with usePartialImages and shows a waiting box before the first item', async () => {
    const events = imageResponseEvents({ items: 2 });
    const source = (async function* () {
      yield* events;
    })();
    let streamed: ReturnType<typeof createPartialImagesStore> | null = null;
    function Chat() {
      const { store } = usePartialImages(source);
      streamed = store;
      return <PartialImageGallery store={store} />;
    }
    const { container } = render(<Chat />);
    // Wait on the store (React 18 renders an async act's updates only when it ends).
    await act(() => vi.waitFor(() => expect(streamed?.getState().status).toBe('completed')));
    expect(container.querySelectorAll('figure')).toHaveLength(2);
    const store = createPartialImagesStore();
    const waiting = render(<PartialImageGallery store={store} />);
    act(() => store.dispatch(normalizeEvent(events[0])));
    expect(
      waiting.container.querySelector('[data-part="gallery-waiting"]')?.getAttribute('style'),
    ).toContain('aspect-ratio: 1536 / 1024');
  });
});
