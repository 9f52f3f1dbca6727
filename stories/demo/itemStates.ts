/** Every state one image goes through, computed by the real reducer from a replayed stream. */

import {
  initialPartialImagesState,
  normalizeEvent,
  type PartialImageItem,
  type PartialImagesState,
  reducePartialImages,
} from '../../src';
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
