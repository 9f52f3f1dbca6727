/** What the browser sections get from the runner. */

import type { Browser } from 'playwright';
import type { FrameSet } from '../../../fixtures/frames/make-frames';
import type { Frames } from '../../shared/wire';

export interface SectionContext {
  readonly browser: Browser;
  /** The URL of a built page (`throughput`, `frame`, `many`, `memory`). */
  readonly url: (page: string) => string;
  /** Stream bytes served as `/data/<name>.bin`: add before a page fetches them. */
  readonly data: Map<string, Uint8Array>;
  readonly full: { readonly set: FrameSet; readonly frames: Frames };
  readonly small: { readonly set: FrameSet; readonly frames: Frames };
}

/** Writes a progress line to stderr (stdout carries the report). */
export function progress(line: string) {
  process.stderr.write(`  ${line}\n`);
}

/** Rotates `list` by `by` places: interleaved rounds in changing order. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  const n = list.length;
  return list.map((_, i) => list[(i + by) % n] as T);
}
