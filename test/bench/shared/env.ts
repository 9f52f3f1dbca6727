/**
 * What every benchmark entry shares (Node only): the environment switches, the frames, and where
 * raw results go.
 *
 * - `BENCH_QUICK=1`: a smoke run (1 round, fewer streams and images).
 * - `BENCH_ROUNDS=n`: rounds of every section (each section has its own default).
 * - `BENCH_ONLY=a,b`: only these sections: `core`, `throughput`, `frame`, `many`, `memory`
 *   (`browser` means the four browser sections).
 * - `BENCH_SRC=dir`: measure the library in `dir` instead of this checkout's `src/`.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FrameSet, smallFrames } from '../../fixtures/frames/index';
import { loadFrames } from '../../fixtures/frames/node';
import type { Frames } from './wire';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CACHE = path.join(ROOT, 'node_modules/.cache/react-partial-images');
/** Where the raw results go, one JSON file per section. */
export const OUT_DIR = path.join(CACHE, 'bench');

/**
 * The library under test: this checkout's `src/`, or `BENCH_SRC` (another copy of `src/`, e.g. a
 * git worktree of an older commit, to measure before and after in one sitting). Its packages
 * (React, zod) are resolved from this repository.
 */
export const LIBRARY_SRC = process.env.BENCH_SRC
  ? path.resolve(process.env.BENCH_SRC)
  : path.join(ROOT, 'src');

/** Which library is measured, for the reports. */
export const LIBRARY_LABEL = process.env.BENCH_SRC
  ? `BENCH_SRC=${path.relative(ROOT, LIBRARY_SRC) || '.'}`
  : 'src/ of this checkout';

/** `BENCH_QUICK=1`. */
export const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';

/** Every section, in the order they run. */
export const SECTIONS = ['core', 'throughput', 'frame', 'many', 'memory'] as const;
export type Section = (typeof SECTIONS)[number];

const only = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const name of only) {
  if (name !== 'browser' && !(SECTIONS as readonly string[]).includes(name)) {
    throw new Error(`BENCH_ONLY: unknown section ${name} (known: browser, ${SECTIONS.join(', ')})`);
  }
}

/** Is `section` selected by `BENCH_ONLY` (all are when it is unset)? */
export function selected(section: Section): boolean {
  if (only.length === 0) return true;
  return only.includes(section) || (section !== 'core' && only.includes('browser'));
}

/** Rounds for a section: `BENCH_ROUNDS`, else 1 when quick, else the section's default. */
export function rounds(defaultRounds: number): number {
  const env = Number(process.env.BENCH_ROUNDS);
  if (Number.isInteger(env) && env > 0) return env;
  return QUICK ? 1 : defaultRounds;
}

/** The PNG set of a frames manifest (the 1024x1024 "sunset" at full size). */
function pngFrames(sets: readonly FrameSet[], what: string): { set: FrameSet; frames: Frames } {
  const set = sets.find((s) => s.format === 'png');
  if (!set) throw new Error(`no PNG frame set in the ${what} frames`);
  return { set, frames: set.frames };
}

/** The full-size PNG frames (1024x1024, 1.5–2.5 MB of base64), made once if missing (~16 s). */
export async function fullFrames(): Promise<{ set: FrameSet; frames: Frames }> {
  const loaded = await loadFrames({ generate: true });
  if (loaded.source === 'small') throw new Error('the full-size frames could not be made');
  return pngFrames(loaded.sets, 'full-size');
}

/** The committed small PNG frames (256x256, 100–160 KB of base64). */
export function smallPngFrames(): { set: FrameSet; frames: Frames } {
  return pngFrames(smallFrames, 'small');
}

/** Writes a section's raw results to `OUT_DIR/<section>.json`; returns the path. */
export async function writeResult(section: string, data: unknown): Promise<string> {
  await mkdir(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${section}.json`);
  const meta = {
    section,
    date: new Date().toISOString(),
    quick: QUICK,
    node: process.version,
    library: LIBRARY_LABEL,
  };
  await writeFile(file, `${JSON.stringify({ ...meta, ...(data as object) }, null, 2)}\n`);
  return path.relative(ROOT, file);
}
