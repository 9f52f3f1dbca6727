/**
 * The demo, checked in a real browser: build the stories, serve the static build, open Chat,
 * send a prompt, watch the image sharpen; then open every story and fail on console errors.
 */

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';

const root = join(import.meta.dirname, '../..');
const out = join(root, 'node_modules/.cache/react-partial-images/storybook-e2e');
const artifacts = join(root, 'test-results');

const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** A static file server for the build (a 404 for /api/chat: the stories replay in the page). */
function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      if (!file.startsWith(dir) || !statSync(file).isFile()) throw new Error('not a file');
      res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
      res.end(readFileSync(file));
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/storybook/dist/bin/dispatcher.js'),
      'build',
      '--quiet',
      '--output-dir',
      out,
    ],
    {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', STORYBOOK_DISABLE_TELEMETRY: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  server = await serve(out);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Collects console errors and uncaught page errors. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location().url;
      errors.push(`${message.text()}${where ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return errors;
}

interface Sample {
  state: string | null;
  partial: string | null;
  final: boolean;
  width: number;
  height: number;
}

describe('the demo (static Storybook build)', () => {
  it('Chat: a prompt streams an image through at least two previews to the final', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${base}/iframe.html?id=chat--chat&viewMode=story&args=speed:6`);
    await page.getByTestId('transport').filter({ hasText: 'in-page replay' }).waitFor();
    // Sample the first image box on every animation frame from the moment it exists.
    await page.evaluate(() => {
      const samples: Sample[] = [];
      (window as unknown as { samples: Sample[] }).samples = samples;
      const tick = () => {
        const box = document.querySelector('[data-part="gallery-item"] [data-state]');
        if (box) {
          const rect = box.getBoundingClientRect();
          samples.push({
            state: box.getAttribute('data-state'),
            partial: box.getAttribute('data-partial-index'),
            final: box.hasAttribute('data-final'),
            width: rect.width,
            height: rect.height,
          });
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.getByLabel('Prompt').fill('A sunset over the mountains');
    await page.getByRole('button', { name: 'Send' }).click();
    const message = page.getByTestId('assistant-message');
    await message.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
    await page.locator('[data-part="gallery-item"] [data-final]').waitFor();
    const samples = await page.evaluate(() => (window as unknown as { samples: Sample[] }).samples);
    const partials = new Set(samples.filter((s) => s.partial !== null).map((s) => s.partial));
    expect(partials.size).toBeGreaterThanOrEqual(2);
    expect(samples.at(-1)?.final).toBe(true);
    // The box keeps its size from the placeholder to the final.
    expect(new Set(samples.map((s) => `${s.width}x${s.height}`)).size).toBe(1);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'demo-chat.png'), fullPage: true });
    expect(await message.textContent()).toContain('Here');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('every story renders without a console error', async () => {
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as {
      entries: Record<string, { id: string; type: string }>;
    };
    const stories = Object.values(index.entries).filter((entry) => entry.type === 'story');
    expect(stories.length).toBeGreaterThanOrEqual(10);
    const page = await browser.newPage();
    const failures: string[] = [];
    for (const story of stories) {
      const errors = watchErrors(page);
      await page.goto(`${base}/iframe.html?id=${story.id}&viewMode=story`);
      await page.locator('#storybook-root > *').first().waitFor({ timeout: 20_000 });
      // Let streaming stories run for a moment.
      await page.waitForTimeout(1500);
      page.removeAllListeners('console');
      page.removeAllListeners('pageerror');
      page.removeAllListeners('response');
      if (errors.length > 0) failures.push(`${story.id}: ${errors.join(' | ')}`);
    }
    expect(failures).toEqual([]);
    await page.close();
  }, 180_000);
});
