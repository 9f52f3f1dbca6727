import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPartialImagesStore } from '../../src/core';
import { createReplay, smallFrames } from '../../stories/replay';
import {
  FULL_FRAMES_PATH,
  generateFullFrames,
  loadFrames,
  sendReplay,
} from '../../stories/replay/node';

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

describe('generateFullFrames', () => {
  // Making real full-size frames takes ~16 s of CPU; these check the hand-over around it.
  async function cacheDir(): Promise<{ root: string; file: string; dir: string }> {
    const root = await tempRoot();
    const file = join(root, FULL_FRAMES_PATH);
    await mkdir(dirname(file), { recursive: true });
    return { root, file, dir: dirname(file) };
  }

  it('waits for a generation already running (its lock names it) instead of another', async () => {
    const { root, file, dir } = await cacheDir();
    // This very process stands for the running generator: it is alive.
    await writeFile(join(dir, 'generating.pid'), `${process.pid}\n`);
    const sets = smallFrames.slice(0, 1);
    setTimeout(() => void writeFile(file, JSON.stringify(sets)), 50);
    expect((await generateFullFrames({ root, pollEvery: 10 })).file).toBe(file);
    expect(await loadFrames({ root })).toEqual({ sets, source: 'full', file });
  });

  it('reports the error of a generator that stopped without making the file', async () => {
    const { root, dir } = await cacheDir();
    const generator = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
    cleanup.push(async () => generator.kill());
    await writeFile(join(dir, 'generating.pid'), `${generator.pid}\n`);
    await writeFile(join(dir, 'generate-error.log'), 'Error: sharp is missing\n');
    const made = generateFullFrames({ root, pollEvery: 10 });
    await once(generator, 'exit');
    await expect(made).rejects.toThrow(/not made\.\nError: sharp is missing/);
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
