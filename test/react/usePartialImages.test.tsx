import { act, render } from '@testing-library/react';
import * as React from 'react';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  type PartialImagesSource,
  type UsePartialImagesResult,
  usePartialImage,
  usePartialImageIds,
  usePartialImages,
} from '../../src';
import { createPartialImagesStore, normalizeEvent } from '../../src/core';
import { imageResponseEvents } from '../fixtures/events';
import { type Channel, channel } from '../fixtures/streams';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Pushes `events` and waits, inside act, until the hook's store has taken them all. */
async function feed(source: Channel<unknown>, events: readonly unknown[]) {
  for (const event of events) source.push(event);
  await act(() => source.drained());
}

/**
 * Waits, inside act, until the store behind `result` reaches `status`. (Wait on the store, not on
 * a rendered value: React 18 renders an async act's updates only when it ends.)
 */
async function until(result: () => UsePartialImagesResult | null, status: string) {
  await act(() => vi.waitFor(() => expect(result()?.store.getState().status).toBe(status)));
}

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
    let latest: UsePartialImagesResult | null = null;
    function Probe() {
      latest = usePartialImages(source);
      states.push(summary(latest));
      return null;
    }
    render(<Probe />);
    for (const event of events) await feed(source, [event]);
    source.end();
    await until(() => latest, 'completed');
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
    await feed(source, imageResponseEvents());
    expect(source.closed).toBe(false);
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
    await feed(first, events);
    expect(latest!.items[0]?.latest?.index).toBe(1);

    // null stops: aborted, frames kept.
    view.rerender(<Probe source={null} />);
    await until(() => latest, 'aborted');
    expect(latest!.status).toBe('aborted');
    expect(signals[0]?.aborted).toBe(true);
    expect(first.closed).toBe(true);
    expect(latest!.items[0]?.latest?.index).toBe(1);

    // A new source starts over.
    const second = channel<unknown>();
    view.rerender(<Probe source={second} />);
    expect(latest!.status).toBe('idle');
    await feed(second, [events[0]]);
    expect(latest!.status).toBe('streaming');
    act(() => latest!.abort());
    await until(() => latest, 'aborted');
    expect(latest!.status).toBe('aborted');
    expect(second.closed).toBe(true);

    // Unmount cancels a live request.
    const third = channel<unknown>();
    view.rerender(<Probe source={third} />);
    await feed(third, [events[0]]);
    view.unmount();
    await act(() => third.drained());
    expect(third.closed).toBe(true);
  });

  it('calls the latest onFrame, onComplete, onError and onEvent, and changing them restarts nothing', async () => {
    const source = channel<unknown>();
    const calls: string[] = [];
    function Probe({ tag }: { tag: string }) {
      usePartialImages(source, {
        onFrame: (frame, item) => calls.push(`${tag}:frame:${item.id}:${frame.index}`),
        onComplete: (state) => calls.push(`${tag}:complete:${state.items.length}`),
        onError: (error) => calls.push(`${tag}:error:${error.code}`),
        onEvent: (raw) => {
          if ((raw as { type?: string }).type === 'response.created') calls.push(`${tag}:event`);
        },
      });
      return null;
    }
    const view = render(<Probe tag="a" />);
    const events = imageResponseEvents({ partials: 1, items: 2 });
    await feed(source, events.slice(0, 8));
    view.rerender(<Probe tag="b" />); // new callbacks: the stream goes on, and they are the ones called
    await feed(source, [{ ...(events[0] as object), sequence_number: 999 }, ...events.slice(8)]);
    expect(calls).toEqual([
      'a:event',
      'a:frame:ig_0:0',
      'b:event', // onEvent hears every raw event
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
    await feed(failing, imageResponseEvents({ ending: 'error', skipItemDone: true }));
    expect(errors).toEqual(['provider-error']);
  });

  it('re-renders only the item that changed; events that change nothing render nothing', () => {
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
      for (const event of events.slice(0, cut)) store.dispatch(normalizeEvent(event));
    });
    const before = { ...renders };
    act(() => store.dispatch(normalizeEvent(events[cut])));
    expect(renders.ig_2).toBe((before.ig_2 ?? 0) + 1);
    expect(renders.ig_0).toBe(before.ig_0);
    expect(renders.ig_1).toBe(before.ig_1);
    expect(renders.list).toBe(before.list);
    act(() => {
      store.dispatch(
        normalizeEvent({ type: 'response.output_text.delta', delta: 'hi', sequence_number: 1000 }),
      );
      store.dispatch(normalizeEvent(events[cut])); // a repeat
    });
    expect(renders).toEqual({ ...before, ig_2: (before.ig_2 ?? 0) + 1 });
  });

  it('shares its store: other components read it by item, and abort() stops it', async () => {
    const source = channel<unknown>();
    let seen: string | undefined;
    let result: UsePartialImagesResult | null = null;
    function Viewer({ store }: { store: UsePartialImagesResult['store'] }) {
      seen = usePartialImage(store, 'ig_0')?.status;
      return null;
    }
    function Feeder() {
      result = usePartialImages(source);
      return <Viewer store={result.store} />;
    }
    render(<Feeder />);
    await feed(source, imageResponseEvents().slice(0, 8));
    expect(seen).toBe('partial');
    act(() => result!.abort());
    await until(() => result, 'aborted');
    expect(seen).toBe('failed'); // the open item fails with the abort; its frame stays
    expect(result!.store.getState().items[0]?.latest).not.toBeNull();
  });

  it('stays idle with no source, and its store takes events pushed by hand', () => {
    let latest: UsePartialImagesResult | null = null;
    function Probe() {
      latest = usePartialImages(null);
      return null;
    }
    render(<Probe />);
    expect(latest!.status).toBe('idle');
    act(() => {
      for (const event of imageResponseEvents()) latest!.store.dispatch(normalizeEvent(event));
    });
    expect(latest!.status).toBe('completed');
    expect(latest!.items.map((item) => item.status)).toEqual(['completed']);
    act(() => latest!.store.reset());
    expect(latest!.status).toBe('idle');
    expect(latest!.items).toEqual([]);
  });
});
