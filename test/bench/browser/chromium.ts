/** Debian's Chromium under Playwright, and a fresh page per measurement. */

import { readFile } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // `gc()` in the pages: a collection before each timed run, and before reading the heap.
  '--js-flags=--expose-gc',
];

/** Launches headless Chromium. */
export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** A page that has loaded `url` and set `window.__bench`. */
export interface BenchTab {
  readonly page: Page;
  /** Page errors and console errors so far. */
  readonly errors: string[];
  prepare(config: unknown): Promise<void>;
  run<Result>(): Promise<Result>;
  close(): Promise<void>;
}

/**
 * Opens `url` in a new browser context (its own renderer process, so that no measurement shares
 * a V8 heap or a warm JIT with another) and waits for the bench API.
 */
export async function openTab(browser: Browser, url: string): Promise<BenchTab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 30_000 });
  const fail = () => {
    if (errors.length) throw new Error(`${url}: ${errors.join('; ')}`);
  };
  return {
    page,
    errors,
    async prepare(config) {
      await page.evaluate((c) => window.__bench?.prepare(c), config);
      fail();
    },
    async run<Result>() {
      const result = (await page.evaluate(() => window.__bench?.run())) as Result;
      fail();
      return result;
    },
    close: () => context.close(),
  };
}

/** The pid of the renderer process running `page` (from a trace mark: CDP does not say). */
export async function rendererPid(browser: Browser, page: Page): Promise<number | null> {
  await browser.startTracing(page, { categories: ['blink.user_timing'] });
  await page.evaluate(() => performance.mark('bench:pid'));
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as
    | { traceEvents: { name: string; pid: number }[] }
    | { name: string; pid: number }[];
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  return events.find((e) => e.name === 'bench:pid')?.pid ?? null;
}

/** A process's memory from /proc (Linux): private bytes (clean + dirty) and RSS. */
export async function processMemory(
  pid: number | null,
): Promise<{ privateBytes: number; rssBytes: number } | null> {
  if (pid === null) return null;
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kB = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { privateBytes: kB('Private_Clean') + kB('Private_Dirty'), rssBytes: kB('Rss') };
  } catch {
    return null;
  }
}
