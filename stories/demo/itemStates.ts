/** Every state one image goes through, computed by the real reducer from a replayed stream. */

import {
  createPartialImagesStore,
  initialPartialImagesState,
  normalizeEvent,
  type PartialImageItem,
  type PartialImagesState,
  reducePartialImages,
} from '../../src/core';
import { createReplay, type ReplayOptions } from '../replay';

/** The first item's distinct states, in order, for a one-image replay. */
export function itemStates(options: ReplayOptions = {}): PartialImageItem[] {
  const replay = createReplay({ images: 1, ...options });
  const out: PartialImageItem[] = [];
  let state: PartialImagesState = initialPartialImagesState;
  for (const raw of replay.events) {
    const event = normalizeEvent(raw);
    if (event) state = reducePartialImages(state, event);
    const item = state.items[0];
    if (item && item !== out.at(-1)) out.push(item);
  }
  return out;
}

/** The state of the first item whose newest frame has this index (or that is final). */
export function itemAt(states: readonly PartialImageItem[], index: number | 'final' | 'waiting') {
  if (index === 'waiting') return states.find((s) => !s.latest) ?? null;
  if (index === 'final') return states.find((s) => s.final) ?? null;
  return states.find((s) => s.latest && !s.latest.isFinal && s.latest.index === index) ?? null;
}

/**
 * The first item of a one-image replay stopped by `store.abort()` right after its preview
 * `afterPartial` (0-based) arrived: aborted, with the frames received so far kept.
 */
export function abortedItem(
  options: ReplayOptions = {},
  afterPartial = 1,
): PartialImageItem | null {
  const replay = createReplay({ images: 1, ...options });
  const store = createPartialImagesStore();
  // Everything up to that preview: the reasoning and the text come first, then the image.
  const cut = replay.events.findIndex(
    (e) =>
      e.type === 'response.image_generation_call.partial_image' &&
      e.partial_image_index === afterPartial,
  );
  for (const raw of replay.events.slice(0, cut + 1)) store.dispatch(normalizeEvent(raw));
  store.abort();
  return store.getState().items[0] ?? null;
}
