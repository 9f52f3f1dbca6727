/**
 * Node-only helpers of the replay (the Storybook dev server): writing a replay to an HTTP
 * response, and (re-exported from `test/fixtures/frames/node`) the full-size frames. Browser code
 * imports `./index` instead.
 */

import type { ServerResponse } from 'node:http';
import type { Replay, TransportOptions } from './replay';

export { FULL_FRAMES_PATH } from '../../test/fixtures/frames';
export type {
  GenerateFullFramesOptions,
  LoadedFrames,
  LoadFramesOptions,
} from '../../test/fixtures/frames/node';
export { generateFullFrames, loadFrames } from '../../test/fixtures/frames/node';

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
