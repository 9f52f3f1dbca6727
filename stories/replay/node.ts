/**
 * Node-only helpers of the replay (the Storybook dev server): the full-size frames when they
 * exist, and writing a replay to an HTTP response. Browser code imports `./index` instead.
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { FrameSet } from './frames';
import { smallFrames } from './frames';
import type { Replay, TransportOptions } from './replay';

/** Where `make-frames.ts --full` writes the API-size frames, from the project root. */
export const FULL_FRAMES_PATH = 'node_modules/.cache/react-partial-images/frames-full/frames.json';

/** Options of {@link loadFrames}. */
export interface LoadFramesOptions {
  /** The project root. @defaultValue `process.cwd()` */
  root?: string | undefined;
  /** Use the full-size frames when the file exists. @defaultValue true */
  full?: boolean | undefined;
  /**
   * Make the full-size frames (about 16 s, needs sharp) and cache them when the file is missing.
   * Off by default so that the default path stays fast. @defaultValue false
   */
  generate?: boolean | undefined;
}

/** Frame sets and where they came from. */
export interface LoadedFrames {
  sets: readonly FrameSet[];
  /** `full`: read from the cache; `generated`: made now (and cached); `small`: the committed ones. */
  source: 'full' | 'generated' | 'small';
  /** The file read or written, or `null` for the bundled small frames. */
  file: string | null;
}

const loaded = new Map<string, Promise<LoadedFrames>>();

async function load(file: string, generate: boolean): Promise<LoadedFrames> {
  try {
    const sets = JSON.parse(await readFile(file, 'utf8')) as FrameSet[];
    return { sets, source: 'full', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!generate) return { sets: smallFrames, source: 'small', file: null };
  const { makeFrames } = await import('../../test/fixtures/frames/make-frames');
  const sets = await makeFrames({ scale: 1 });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(sets, null, 2)}\n`);
  return { sets, source: 'generated', file };
}

/**
 * The best frames available: the full-size cache (`npx tsx test/fixtures/frames/make-frames.ts
 * --full` makes it), else the committed small frames. Read once per process and file.
 *
 * @example
 * ```ts
 * const { sets } = await loadFrames()
 * const replay = createReplay({ frames: sets, images: 2 })
 * ```
 */
export function loadFrames(options: LoadFramesOptions = {}): Promise<LoadedFrames> {
  if (options.full === false) {
    return Promise.resolve({ sets: smallFrames, source: 'small', file: null });
  }
  const file = path.resolve(options.root ?? process.cwd(), FULL_FRAMES_PATH);
  const key = `${file}\0${options.generate === true}`;
  let promise = loaded.get(key);
  if (!promise) {
    promise = load(file, options.generate === true);
    promise.catch(() => loaded.delete(key));
    loaded.set(key, promise);
  }
  return promise;
}

/** Resolves on the response's `drain`, or when `signal` fires; removes both listeners. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Plays `replay` into a Node HTTP response as `text/event-stream`, at its realistic pace. Stops
 * when the client goes away. A `cut` replay ends the body right after the half-sent frame.
 *
 * @returns When the body is finished or the client has left.
 */
export async function sendReplay(
  replay: Replay,
  res: ServerResponse,
  options: Omit<TransportOptions, 'signal'> = {},
): Promise<void> {
  const controller = new AbortController();
  const onClose = () => controller.abort(new Error('The client closed the connection.'));
  res.on('close', onClose);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  try {
    for await (const chunk of replay.chunks({ ...options, signal: controller.signal })) {
      if (!res.write(chunk)) await drained(res, controller.signal);
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded) res.end();
  }
}
