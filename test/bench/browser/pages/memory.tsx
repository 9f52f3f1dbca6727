/**
 * Section 4 page: a chat of many image responses (500 by default), streamed one after another,
 * each its own store (`keepHistory` as the variant says) shown by `<PartialImageGallery store>`
 * (data-url mode, the default), with small real frames (2 or 3 previews in turn, then the final).
 * The "no chat" variant is the same page with nothing streamed: the runner subtracts its heap.
 *
 * Each response is built here with its own ids (so its SSE lines differ from every other's, as
 * real responses do: Chromium shares the strings of byte-identical lines between streams, which
 * would hide what each response keeps).
 */

import * as React from 'react';
import { createRoot } from 'react-dom/client';
import {
  type PartialImageFrame,
  PartialImageGallery,
  type PartialImageGalleryProps,
  type PartialImagesStore,
} from '../../../../src';
import { createPartialImagesStore } from '../../../../src/core';
import { encodeStream, type Frames, networkChunks, responseEvents } from '../../shared/wire';
import type { MemoryConfig, MemoryResult } from '../protocol';
import { expose, fetchBytes, pieces, pulledResponse, sleep } from './page';

const container = document.getElementById('root') as HTMLElement;
let config: MemoryConfig;
let frames: Frames;
let append: ((store: PartialImagesStore) => void) | null = null;
let finalsShown = 0;

/** Counts final frames brought on screen by a swap (not those an image mounted with). */
const imageProps: PartialImageGalleryProps['imageProps'] = {
  onFrameShown: (frame: PartialImageFrame) => {
    if (frame.isFinal) finalsShown++;
  },
};

/**
 * Resolves once message `index` shows its final frame, decoded. An image that mounts with its
 * final frame already in the state shows it at once, without `onFrameShown`: so look at the DOM.
 */
async function finalOnScreen(index: number, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const img = container.querySelector<HTMLImageElement>(
      `[data-message="${index}"] [data-final] img[data-part="frame"]:not([aria-hidden])`,
    );
    if (img) {
      try {
        await img.decode();
        return img.naturalWidth > 0;
      } catch {
        return false;
      }
    }
    await sleep(0);
  }
  return false;
}

const Message = React.memo(function Message(props: { store: PartialImagesStore; index: number }) {
  return (
    <div data-message={props.index} style={{ width: 160, margin: '0 0 8px' }}>
      <PartialImageGallery store={props.store} imageProps={imageProps} />
    </div>
  );
});

function Chat() {
  const [stores, setStores] = React.useState<readonly PartialImagesStore[]>([]);
  React.useEffect(() => {
    append = (store) => setStores((previous) => [...previous, store]);
  }, []);
  return (
    <div>
      {stores.map((store, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: messages are only appended
        <Message key={index} store={store} index={index} />
      ))}
    </div>
  );
}

const PREFIX = 'data:image/png;base64,'.length;

expose<MemoryConfig, MemoryResult>({
  async prepare(next) {
    config = next;
    frames = JSON.parse(new TextDecoder().decode(await fetchBytes(config.frames))) as Frames;
    createRoot(container).render(<Chat />);
    while (!append) await sleep(10);
  },
  async run() {
    const t0 = performance.now();
    const responses = config.variant === 'no chat' ? 0 : config.responses;
    const keepHistory = config.variant === 'keepHistory: true';
    const stores: PartialImagesStore[] = [];
    let onScreen = 0;
    for (let i = 0; i < responses; i++) {
      const store = createPartialImagesStore({ keepHistory });
      stores.push(store);
      append?.(store);
      // Even responses have 2 previews, odd ones 3.
      const { bytes } = encodeStream(
        responseEvents({
          frames,
          partials: i % 2 === 0 ? 2 : 3,
          nonAscii: !config.ascii,
          textDeltas: 30,
          size: config.size,
          n: i,
        }),
      );
      await store.consume(pulledResponse(pieces(bytes, networkChunks(bytes.length, i))));
      // The next response starts once this one's final image is on screen.
      if (await finalOnScreen(i, 5_000)) onScreen++;
    }
    await sleep(300);
    // `src.length` rather than `b64`: reading `b64` slices `src` and could flatten it.
    const completed = stores.filter((store) => {
      const state = store.getState();
      return (
        state.status === 'completed' &&
        state.items[0]?.final?.src.length === PREFIX + config.finalLength
      );
    }).length;
    const framesKept = stores.reduce(
      (sum, store) => sum + (store.getState().items[0]?.frames.length ?? 0),
      0,
    );
    return {
      responses,
      completed,
      onScreen,
      finalsShown,
      framesKept,
      durationMs: performance.now() - t0,
    };
  },
});
