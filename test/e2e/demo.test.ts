/**
 * The demo, checked in a real browser: build the stories, serve the static build, open Chat (and
 * the AI SDK chat), send a prompt, watch the image sharpen; then open every story and fail on
 * console errors and on any accessibility violation axe-core finds.
 */

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';

const root = join(import.meta.dirname, '../..');
const out = join(root, 'node_modules/.cache/react-partial-images/storybook-e2e');
const artifacts = join(root, 'test-results');
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

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

/** One axe-core violation, as the test reports it. */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the story (`#storybook-root`), with every rule it runs by default (WCAG 2.x A
 * and AA, and best practices) but `region`: a story shows a component alone, not a page with
 * landmarks. (Page-level rules, such as one `main` landmark, skip a context that is not the
 * whole page.) Storybook's own a11y addon makes the same two choices.
 */
async function axe(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: {
        run(
          context: unknown,
          options: unknown,
        ): Promise<{
          violations: {
            id: string;
            impact?: string | null;
            help: string;
            nodes: { target: unknown[] }[];
          }[];
        }>;
      };
    };
    const result = await axe.run(
      { include: ['#storybook-root'] },
      { rules: { region: { enabled: false } }, resultTypes: ['violations'] },
    );
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((node) => node.target.join(' ')),
    }));
  });
}

interface Sample {
  state: string | null;
  partial: string | null;
  final: boolean;
  width: number;
  height: number;
}

/**
 * Runs in the page: records the first `selector` box's state and size on every animation frame,
 * from the moment it exists, into `window.samples`.
 */
function sampleBox(selector: string) {
  const samples: Sample[] = [];
  (window as unknown as { samples: Sample[] }).samples = samples;
  const tick = () => {
    const box = document.querySelector(selector);
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
}

const samplesOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { samples: Sample[] }).samples);

describe('the demo (static Storybook build)', () => {
  it('Chat: a prompt streams an image through at least two previews to the final', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${base}/iframe.html?id=chat--chat&viewMode=story&args=speed:6`);
    await page.getByTestId('transport').filter({ hasText: 'in-page replay' }).waitFor();
    // Sample the first image box on every animation frame from the moment it exists.
    await page.evaluate(sampleBox, '[data-part="gallery-item"] [data-state]');
    await page.getByLabel('Prompt').fill('A sunset over the mountains');
    await page.getByRole('button', { name: 'Send' }).click();
    const message = page.getByTestId('assistant-message');
    await message.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
    await page.locator('[data-part="gallery-item"] [data-final]').waitFor();
    const samples = await samplesOf(page);
    const partials = new Set(samples.filter((s) => s.partial !== null).map((s) => s.partial));
    expect(partials.size).toBeGreaterThanOrEqual(2);
    expect(samples.at(-1)?.final).toBe(true);
    // The box keeps its size from the placeholder to the final.
    expect(new Set(samples.map((s) => `${s.width}x${s.height}`)).size).toBe(1);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'demo-chat.png'), fullPage: true });
    expect(await message.textContent()).toContain('Here');
    // With a reply (text, images, the replay note), not only the empty chat.
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('Chat: a prompt no scene fits says it is a replay, and what it shows instead', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${base}/iframe.html?id=chat--chat&viewMode=story&args=speed:16`);
    await page.getByTestId('transport').filter({ hasText: 'in-page replay' }).waitFor();
    await page.getByLabel('Prompt').fill('a kitten waving hello');
    await page.getByRole('button', { name: 'Send' }).click();
    const note = page.getByTestId('replay-note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(
      /^Replay, not a real model \(no API key is set\): no pre-made scene fits/,
    );
    await page.getByLabel('Prompt').fill('trees at dusk');
    await page
      .getByTestId('assistant-message')
      .and(page.locator('[data-status="completed"]'))
      .first()
      .waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('assistant-message').nth(1).waitFor();
    // "trees" comes first: the forest.
    expect(await page.getByTestId('replay-note').nth(1).textContent()).toContain(
      'closest to your prompt',
    );
    expect(await page.getByTestId('assistant-message').nth(1).textContent()).toContain('forest');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('With the AI SDK: useChat sends the example prompt, the image sharpens to the final', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors = watchErrors(page);
    // The story sends its prompt on mount: sampling starts before the story's own scripts run.
    await page.addInitScript(sampleBox, '[data-testid="assistant-message"] [data-state]');
    await page.goto(`${base}/iframe.html?id=with-the-ai-sdk--use-chat&viewMode=story`);
    const message = page.getByTestId('assistant-message');
    await message.locator('[data-state="completed"][data-final]').waitFor({ timeout: 60_000 });
    const samples = await samplesOf(page);
    const partials = new Set(samples.filter((s) => s.partial !== null).map((s) => s.partial));
    expect(partials.size).toBeGreaterThanOrEqual(2);
    expect(samples.at(-1)?.final).toBe(true);
    // The box is sized from the reply's metadata before the first preview, and keeps it.
    expect(new Set(samples.map((s) => `${s.width}x${s.height}`)).size).toBe(1);
    expect(await page.getByTestId('replay-note').textContent()).toMatch(
      /^Replay, not a real model: .*no API key/,
    );
    expect(await message.textContent()).toContain('Let me know');
    // A prompt of one's own: a second reply, with the scene it names.
    await page.getByLabel('Prompt').fill('A misty forest');
    await page.getByRole('button', { name: 'Send' }).click();
    await message
      .nth(1)
      .locator('[data-state="completed"][data-final]')
      .waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('replay-note').nth(1).textContent()).toContain('"forest"');
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('Inspector: the table fits, scrolls by keyboard, opens each event as short JSON', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const errors = watchErrors(page);
    await page.goto(`${base}/iframe.html?id=inspector--events&viewMode=story&args=speed:16`);
    await page.getByText('completed', { exact: true }).waitFor({ timeout: 60_000 });
    const region = page.getByRole('region', { name: 'Raw events' });
    const fit = await region.evaluate((element) => ({
      scroll: element.scrollWidth,
      client: element.clientWidth,
      right: element.getBoundingClientRect().right,
      page: document.documentElement.clientWidth,
    }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    expect(fit.right).toBeLessThanOrEqual(fit.page);
    // The keyboard reaches the region (Tab from the button before it) and scrolls it.
    await page.getByRole('button', { name: 'Replay' }).focus();
    await page.keyboard.press('Tab');
    expect(await region.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press('End');
    await expect.poll(() => region.evaluate((element) => element.scrollTop)).toBeGreaterThan(0);
    // A partial image event, opened: its base64 is cut to 40 characters and a size.
    const row = page.getByRole('row').filter({ hasText: 'partial_image' }).first();
    const toggle = row.getByRole('button');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const details = page.locator(`[id="${await toggle.getAttribute('aria-controls')}"] pre`);
    const json = (await details.textContent()) ?? '';
    expect(JSON.parse(json)).toMatchObject({
      type: 'response.image_generation_call.partial_image',
      partial_image_b64: expect.stringMatching(/^[A-Za-z0-9+/]{40}… \(\d+ KB\)$/),
    });
    // Now that the table overflows (and a disclosure is open), axe checks it again.
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('ProgressiveImage: the aborted image keeps its frame', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/iframe.html?id=progressiveimage--all-states&viewMode=story`);
    const figure = page.locator('figure').filter({ hasText: 'aborted (frames kept)' });
    const frame = figure.locator('img[data-part="frame"]');
    await frame.first().waitFor();
    await expect
      .poll(() => frame.first().evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await page.close();
  }, 60_000);

  it('every story renders without a console error or an accessibility violation', async () => {
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
      for (const v of await axe(page)) {
        failures.push(
          `${story.id}: axe ${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`,
        );
      }
      page.removeAllListeners('console');
      page.removeAllListeners('pageerror');
      page.removeAllListeners('response');
      if (errors.length > 0) failures.push(`${story.id}: ${errors.join(' | ')}`);
    }
    // Each failure on its own line, so that the report names every story and rule.
    expect(failures.join('\n')).toBe('');
    await page.close();
  }, 180_000);
});
