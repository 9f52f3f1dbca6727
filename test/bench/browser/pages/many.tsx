/**
 * Section 3 page: many streams at once (50 by default), each shown by its own image cell, each
 * on its own provider schedule (staggered starts, small real frames).
 *
 * - library data-url / object-url: per cell `usePartialImages(response)` (its own store) and
 *   `<ProgressiveImage item srcMode>`.
 * - hand-rolled: per cell eventsource-parser + `JSON.parse` on the main thread, each event
 *   appended to a `useState` array, the latest frame found by scanning it, shown as
 *   `<img src={"data:image/png;base64," + b64}>` (what chat UIs write by hand).
 */

import { createParser } from 'eventsource-parser';
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import {
  type PartialImageFrame,
  type PartialImagesStore,
  ProgressiveImage,
  usePartialImages,
} from '../../../../src';
import type { ManyConfig, ManyResult } from '../protocol';
import {
  countAnimationFrames,
  deferred,
  deliveryPieces,
  expose,
  fetchBytes,
  observeLongTasks,
  pacedResponse,
  sleep,
} from './page';

const CELL = 112;
const container = document.getElementById('root') as HTMLElement;
let config: ManyConfig;
let chunks: Uint8Array[][] = [];
let finals = new Set<number>();
let framesShown = 0;
let allDone = deferred();
const stores: PartialImagesStore[] = [];

function frameShown(cell: number, isFinal: boolean) {
  framesShown++;
  if (isFinal) finals.add(cell);
  if (finals.size === config.deliveries.length) allDone.resolve();
}

// ------------------------------------------------------------------------------------ library

function LibraryCell(props: {
  cell: number;
  source: Response | null;
  srcMode: 'data-url' | 'object-url';
}) {
  const { items, store } = usePartialImages(props.source);
  React.useEffect(() => {
    stores[props.cell] = store;
  }, [props.cell, store]);
  const onFrameShown = React.useCallback(
    (frame: PartialImageFrame) => frameShown(props.cell, frame.isFinal),
    [props.cell],
  );
  return (
    <ProgressiveImage
      item={items[0] ?? null}
      srcMode={props.srcMode}
      onFrameShown={onFrameShown}
      style={{ width: CELL }}
    />
  );
}

// -------------------------------------------------------------------------------- hand-rolled

type Json = {
  type?: string;
  item_id?: string;
  partial_image_b64?: string;
  item?: { type?: string; result?: string };
};

/** The latest frame, found by scanning the events (as hand-rolled chat UIs do). */
function latestImage(events: readonly Json[]): { b64: string; final: boolean } | null {
  let latest: { b64: string; final: boolean } | null = null;
  for (const event of events) {
    if (event.type === 'response.image_generation_call.partial_image' && event.partial_image_b64) {
      latest = { b64: event.partial_image_b64, final: false };
    } else if (
      event.type === 'response.output_item.done' &&
      event.item?.type === 'image_generation_call' &&
      event.item.result
    ) {
      latest = { b64: event.item.result, final: true };
    }
  }
  return latest;
}

function HandRolledCell(props: { cell: number; source: Response | null }) {
  const [events, setEvents] = React.useState<readonly Json[]>([]);
  React.useEffect(() => {
    const body = props.source?.body;
    if (!body) return;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = createParser({
      onEvent: (message) => {
        const event = JSON.parse(message.data) as Json;
        setEvents((previous) => [...previous, event]);
      },
    });
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    })();
  }, [props.source]);
  const image = latestImage(events);
  return (
    <div style={{ width: CELL, aspectRatio: '1 / 1' }}>
      {image ? (
        <img
          src={`data:image/png;base64,${image.b64}`}
          alt=""
          data-final={image.final ? '1' : '0'}
          onLoad={(event) => frameShown(props.cell, event.currentTarget.dataset.final === '1')}
          style={{ display: 'block', width: '100%' }}
        />
      ) : null}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------

let startAll: ((sources: Response[]) => void) | null = null;

function Page() {
  const [sources, setSources] = React.useState<(Response | null)[]>(() =>
    config.deliveries.map(() => null),
  );
  React.useEffect(() => {
    startAll = setSources;
  }, []);
  const { variant } = config;
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4, width: 1240 }}>
      {sources.map((source, cell) =>
        variant === 'hand-rolled (eventsource-parser + useState)' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the cells never move
          <HandRolledCell key={cell} cell={cell} source={source} />
        ) : (
          <LibraryCell
            // biome-ignore lint/suspicious/noArrayIndexKey: the cells never move
            key={cell}
            cell={cell}
            source={source}
            srcMode={variant === 'library data-url' ? 'data-url' : 'object-url'}
          />
        ),
      )}
    </div>
  );
}

expose<ManyConfig, ManyResult>({
  async prepare(next) {
    config = next;
    chunks = await Promise.all(
      config.deliveries.map(async (deliveries, k) =>
        deliveryPieces(await fetchBytes(`${config.data}-${k}`), deliveries),
      ),
    );
    createRoot(container).render(<Page />);
    while (!startAll) await sleep(10);
  },
  async run() {
    finals = new Set();
    framesShown = 0;
    allDone = deferred();
    const longTasks = observeLongTasks();
    const frames = countAnimationFrames();
    performance.mark('bench:t0');
    const t0 = performance.now();
    startAll?.(config.deliveries.map((d, i) => pacedResponse(chunks[i] as Uint8Array[], d, t0)));
    await Promise.race([allDone.promise, sleep(config.timeoutMs)]);
    const end = performance.now();
    performance.mark('bench:end');
    const animationFrames = frames.stop();
    const tasks = await longTasks.stop();
    const library = config.variant !== 'hand-rolled (eventsource-parser + useState)';
    return {
      streams: config.deliveries.length,
      completed: finals.size,
      stateCompleted: library
        ? stores.filter((store) => store?.getState().status === 'completed').length
        : -1,
      framesShown,
      durationMs: end - t0,
      animationFrames,
      longTasks: tasks
        .filter((task) => task.start >= t0)
        .map((task) => ({ start: task.start - t0, duration: task.duration })),
    };
  },
});
