/**
 * Memory that follows the final images: once an image is final, its previews (megabytes of
 * base64 each) must become garbage, even though React keeps a second copy of every component's
 * props (the fiber it alternates with) until that component renders again.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { act, render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  type PartialImageFrame,
  PartialImageGallery,
  ProgressiveImage,
  usePartialImages,
} from '../../src';
import { createPartialImagesStore, normalizeEvent } from '../../src/core';
import { controlDecode } from '../fixtures/decode';
import { imageResponseEvents } from '../fixtures/events';
import { type Channel, channel } from '../fixtures/streams';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects every preview frame a store shows, weakly. */
function watchPreviews(
  subscribe: (
    listener: (state: { items: readonly { latest: PartialImageFrame | null }[] }) => void,
  ) => () => void,
) {
  const previews: WeakRef<PartialImageFrame>[] = [];
  const seen = new WeakSet<PartialImageFrame>();
  subscribe((state) => {
    for (const item of state.items) {
      const frame = item.latest;
      if (frame && !frame.isFinal && !seen.has(frame)) {
        seen.add(frame);
        previews.push(new WeakRef(frame));
      }
    }
  });
  return previews;
}

async function collect() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('released previews are garbage', () => {
  it('in a gallery fed event by event, once every image is final', async () => {
    const decode = controlDecode();
    try {
      const store = createPartialImagesStore();
      const previews = watchPreviews(store.subscribe);
      const view = render(<PartialImageGallery store={store} />);
      for (const event of imageResponseEvents({ items: 2, partials: 3 })) {
        act(() => store.dispatch(normalizeEvent(event)));
        await act(async () => {});
      }
      expect(previews).toHaveLength(6);
      expect(store.getState().items.map((item) => item.status)).toEqual(['completed', 'completed']);
      await collect();
      expect(previews.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      view.unmount();
    } finally {
      decode.restore();
    }
  });

  it('with usePartialImages rendering <ProgressiveImage> per item (the quick start)', async () => {
    const decode = controlDecode();
    try {
      const source: Channel<unknown> = channel();
      let previews: WeakRef<PartialImageFrame>[] = [];
      function Chat() {
        const { items, store } = usePartialImages(source);
        if (previews.length === 0) previews = watchPreviews(store.subscribe);
        return items.map((item) => <ProgressiveImage key={item.id} item={item} />);
      }
      const view = render(<Chat />);
      for (const event of imageResponseEvents({ items: 2, partials: 3 })) {
        source.push(event);
        await act(() => source.drained());
        await act(async () => {});
      }
      expect(previews.length).toBeGreaterThanOrEqual(5);
      await collect();
      expect(previews.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
      view.unmount();
    } finally {
      decode.restore();
    }
  });
});
