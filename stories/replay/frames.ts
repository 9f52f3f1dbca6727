/**
 * Where the replay's base64 comes from: the frame sets made by
 * `test/fixtures/frames/make-frames.ts`. Browser-safe: the committed small frames are imported as
 * JSON, so a static Storybook build carries them. In Node, `./node` can load the full-size ones.
 */

import type { FrameFormat, FrameSet } from '../../test/fixtures/frames/make-frames';
import data from '../../test/fixtures/frames/small/frames.json' with { type: 'json' };

export type { FrameFormat, FrameSet };

/** The committed frame sets (1/4 of the API sizes): sunset png, city webp, forest jpeg. */
export const smallFrames: readonly FrameSet[] = data as unknown as FrameSet[];

/** Options of {@link pickFrames}. */
export interface PickFramesOptions {
  /** Preferred scenes, in order (e.g. `['city', 'sunset']`); unknown names are an error. */
  scenes?: readonly string[] | undefined;
  /** Only sets in this format. */
  format?: FrameFormat | undefined;
  /** Only sets of this shape. */
  orientation?: 'square' | 'landscape' | 'portrait' | undefined;
}

/** The shape of a set's frames. */
export function orientationOf(set: FrameSet): 'square' | 'landscape' | 'portrait' {
  if (set.width === set.height) return 'square';
  return set.width > set.height ? 'landscape' : 'portrait';
}

/** The API size a set stands for, whatever its scale: `1024x1024`, `1536x1024` or `1024x1536`. */
export function apiSizeOf(set: FrameSet): string {
  const shape = orientationOf(set);
  if (shape === 'square') return '1024x1024';
  return shape === 'landscape' ? '1536x1024' : '1024x1536';
}

/**
 * Chooses one frame set per image: the `scenes` asked for (or else every matching set), in order,
 * and the same sets again (cycling) when there are more images than sets.
 *
 * @throws `RangeError` when a scene is unknown or no set matches `format` / `orientation`.
 */
export function pickFrames(
  pool: readonly FrameSet[],
  count: number,
  options: PickFramesOptions = {},
): FrameSet[] {
  const { scenes = [], format, orientation } = options;
  const matching = pool.filter(
    (set) =>
      (format === undefined || set.format === format) &&
      (orientation === undefined || orientationOf(set) === orientation),
  );
  if (matching.length === 0) {
    const known = pool.map((s) => `${s.scene} (${s.format}, ${orientationOf(s)})`).join(', ');
    throw new RangeError(
      `No frame set is ${[format, orientation].filter(Boolean).join(' and ')}; have ${known}.`,
    );
  }
  const ordered: FrameSet[] = [];
  for (const name of scenes) {
    const set = matching.find((s) => s.scene === name);
    if (!set) {
      const known = matching.map((s) => s.scene).join(', ');
      throw new RangeError(`No frame set for scene "${name}" (have ${known}).`);
    }
    if (!ordered.includes(set)) ordered.push(set);
  }
  if (ordered.length === 0) ordered.push(...matching);
  return Array.from({ length: count }, (_, i) => ordered[i % ordered.length] as FrameSet);
}
