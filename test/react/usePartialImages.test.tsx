import { act, render } from '@testing-library/react';
import * as React from 'react';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  createPartialImagesStore,
  type PartialImagesSource,
  type UsePartialImagesResult,
  usePartialImage,
  usePartialImageIds,
  usePartialImages,
} from '../../src';
import { imageResponseEvents } from '../fixtures/events';
import { channel, sse, sseResponse } from '../fixtures/streams';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets pending promises (the consume loop) run, inside act. */
const flush = () =>
  act(async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  });

function summary(result: UsePartialImagesResult) {
  const item = result.items[0];
  return `${result.status}|${item ? `${item.status}:${item.latest?.index ?? '-'}` : '-'}`;
}

describe('React version under test', () => {
  it('is the one this project asked for', () => {
    expect(Number(React.version.split('.')[0])).toBe(inject('reactMajor'));
  });
});

describe('usePartialImages', () => {
  it('produces the exact sequence of states, one render per change and none for text', async () => {
    const events = imageResponseEvents({ partials: 2, textDeltas: 3 });
    const source = channel<unknown>();
    const states: string[] = [];
    function Probe() {
      const result = usePartialImages(source);
      states.push(summary(result));
      return null;
    }
    render(<Probe />);
    for (const event of events) {
      source.push(event);
      await flush();
    }
    source.end();
    await flush();
    expect(states).toEqual([
      'idle|-',
      'streaming|-', // response.created
      'streaming|pending:-', // output_item.added
      'streaming|generating:-',
      'streaming|partial:0',
      'streaming|partial:1',
      'streaming|completed:2', // output_item.done
      'completed|completed:2', // response.completed
    ]);
    // in_progress, the reasoning item, 3 text deltas, .generating repeat and .completed: no render.
    expect(events.length).toBeGreaterThan(states.length + 5);
  });

  it('reads the source once under StrictMode and does not abort it in the fake unmount', async () => {
    const source = channel<unknown>(); // throws if iterated twice
    let latest: UsePartialImagesResult | null = null;
    function Probe() {
      latest = usePartialImages(source);
      return null;
    }
    render(
      <React.StrictMode>
        <Probe />
      </React.StrictMode>,
    );
    await flush();
    expect(source.closed).toBe(false);
    for (const event of imageResponseEvents()) source.push(event);
    await flush();
    expect((latest as UsePartialImagesResult | null)?.status).toBe('completed');
  });

  it('aborts the request on unmount, on a new source and on abort(), keeping frames', async () => {
    const events = imageResponseEvents({ partials: 2 }).slice(0, 9);
    const signals: AbortSignal[] = [];
    const first = channel<unknown>();
    const fromFunction: PartialImagesSource = (signal) => {
      signals.push(signal);
      return first;
    };
    let latest: UsePartialImagesResult | null = null;
    function Probe({ source }: { source: PartialImagesSource | null }) {
      latest = usePartialImages(source);
      return null;
    }
    const view = render(<Probe source={fromFunction} />);
    for (const event of events) first.push(event);
    await flush();
    expect(latest!.items[0]?.latest?.index).toBe(1);

    // null stops: aborted, frames kept.
    view.rerender(<Probe source={null} />);
    await flush();
    expect(signals[0]?.aborted).toBe(true);
    expect(first.closed).toBe(true);
    expect(latest!.status).toBe('aborted');
    expect(latest!.items[0]?.latest?.index).toBe(1);

    // A new source starts over.
    const second = channel<unknown>();
    view.rerender(<Probe source={second} />);
    await flush();
    expect(latest!.status).toBe('idle');
    second.push(events[0]);
    await flush();
    expect(latest!.status).toBe('streaming');
    act(() => latest!.abort());
    await flush();
    expect(latest!.status).toBe('aborted');
    expect(second.closed).toBe(true);

    // Unmount cancels a live request.
    const third = channel<unknown>();
    view.rerender(<Probe source={third} />);
    await flush();
    view.unmount();
    await flush();
    expect(third.closed).toBe(true);
  });

  it('calls onFrame, onComplete and onError once each, and changing them restarts nothing', async () => {
    const source = channel<unknown>();
    const calls: string[] = [];
    function Probe({ tag }: { tag: string }) {
      usePartialImages(source, {
        onFrame: (frame, item) => calls.push(`${tag}:frame:${item.id}:${frame.index}`),
        onComplete: (state) => calls.push(`${tag}:complete:${state.items.length}`),
        onError: (error) => calls.push(`${tag}:error:${error.code}`),
      });
      return null;
    }
    const view = render(<Probe tag="a" />);
    const events = imageResponseEvents({ partials: 1, items: 2 });
    for (const event of events.slice(0, 8)) source.push(event);
    await flush();
    view.rerender(<Probe tag="b" />); // new callbacks: the stream goes on
    for (const event of events.slice(8)) source.push(event);
    source.push({ type: 'not json' });
    await flush();
    expect(calls).toEqual([
      'a:frame:ig_0:0',
      'b:frame:ig_0:1',
      'b:frame:ig_1:0',
      'b:frame:ig_1:1',
      'b:complete:2',
    ]);
    const failing = channel<unknown>();
    const errors: string[] = [];
    function Failing() {
      usePartialImages(failing, { onError: (error) => errors.push(error.code) });
      return null;
    }
    render(<Failing />);
    for (const event of imageResponseEvents({ ending: 'error', skipItemDone: true }))
      failing.push(event);
    await flush();
    expect(errors).toEqual(['provider-error']);
  });

  it('re-renders only the item that changed; events that change nothing render nothing', async () => {
    const store = createPartialImagesStore();
    const renders: Record<string, number> = {};
    function Item({ id }: { id: string }) {
      const item = usePartialImage(store, id);
      renders[id] = (renders[id] ?? 0) + 1;
      return <span>{item?.latest?.index ?? '-'}</span>;
    }
    function List() {
      const ids = usePartialImageIds(store);
      renders.list = (renders.list ?? 0) + 1;
      return ids.map((id) => <Item key={id} id={id} />);
    }
    render(<List />);
    const events = imageResponseEvents({ items: 3, partials: 2 });
    // Everything up to the last item's first preview.
    const cut = events.findIndex(
      (e) => e.type === 'response.image_generation_call.partial_image' && e.item_id === 'ig_2',
    );
    act(() => {
      for (const event of events.slice(0, cut)) store.dispatch(event);
    });
    const before = { ...renders };
    act(() => store.dispatch(events[cut]));
    expect(renders.ig_2).toBe((before.ig_2 ?? 0) + 1);
    expect(renders.ig_0).toBe(before.ig_0);
    expect(renders.ig_1).toBe(before.ig_1);
    expect(renders.list).toBe(before.list);
    act(() => {
      store.dispatch({ type: 'response.output_text.delta', delta: 'hi', sequence_number: 1000 });
      store.dispatch(events[cut]); // a repeat
    });
    expect(renders).toEqual({ ...before, ig_2: (before.ig_2 ?? 0) + 1 });
  });

  it('shares one store between components', async () => {
    const store = createPartialImagesStore();
    let seen: string | undefined;
    function Feeder({ source }: { source: PartialImagesSource }) {
      usePartialImages(source, { store });
      return null;
    }
    function Viewer() {
      seen = usePartialImage(store, 'ig_0')?.status;
      return null;
    }
    render(
      <>
        <Feeder source={sseResponse(sse(imageResponseEvents()))} />
        <Viewer />
      </>,
    );
    await flush();
    await act(() => vi.waitFor(() => expect(store.getState().status).toBe('completed')));
    expect(seen).toBe('completed');
  });

  it('exposes dispatch and reset, and stays usable with no source', () => {
    let latest: UsePartialImagesResult | null = null;
    function Probe() {
      latest = usePartialImages(null);
      return null;
    }
    render(<Probe />);
    act(() => {
      for (const event of imageResponseEvents()) latest!.dispatch(event);
    });
    expect(latest!.status).toBe('completed');
    expect(latest!.store).toBeDefined();
    act(() => latest!.reset());
    expect(latest!.status).toBe('idle');
    expect(latest!.items).toEqual([]);
  });
});
