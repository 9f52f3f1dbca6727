import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPartialImagesStore } from '../../src/core';
import { createReplay, smallFrames } from '../../stories/replay';
import { FULL_FRAMES_PATH, loadFrames, sendReplay } from '../../stories/replay/node';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'replay-frames-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

describe('loadFrames', () => {
  it('falls back to the committed small frames when there is no full-size cache', async () => {
    const loaded = await loadFrames({ root: await tempRoot() });
    expect(loaded).toEqual({ sets: smallFrames, source: 'small', file: null });
  });

  it('prefers the full-size cache when it exists, unless told not to', async () => {
    const root = await tempRoot();
    const file = join(root, FULL_FRAMES_PATH);
    await mkdir(join(file, '..'), { recursive: true });
    const sets = smallFrames.slice(1, 2);
    await writeFile(file, JSON.stringify(sets));
    expect(await loadFrames({ root })).toEqual({ sets, source: 'full', file });
    expect((await loadFrames({ root, full: false })).source).toBe('small');
  });
});

describe('sendReplay', () => {
  it('serves the replay as text/event-stream that the core consumes', async () => {
    const replay = createReplay({ images: 2, parallel: true });
    const server = createServer((_, res) => {
      sendReplay(replay, res, { speed: Number.POSITIVE_INFINITY, network: 'slow' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const store = createPartialImagesStore();
    await store.consume(response);
    expect(store.getState().status).toBe('completed');
    expect(store.getState().items.map((i) => i.final?.mimeType)).toEqual(
      replay.images.map((s) => s.mimeType),
    );
  });
});
