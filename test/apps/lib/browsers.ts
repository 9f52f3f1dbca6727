/**
 * The two engines behind one small interface: Debian's Chromium through Playwright, and Debian's
 * Firefox ESR through puppeteer-core over WebDriver BiDi (no browser download for either).
 * Scripts cross as strings, so that the checks run the same code in both.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser as PlaywrightBrowser } from 'playwright';
import puppeteer, { type Browser as PuppeteerBrowser } from 'puppeteer-core';

/** An engine the check runs in. */
export type EngineName = 'chromium' | 'firefox';

/** A console message or an uncaught error of a page. */
export interface PageMessage {
  /** `error`, `warning`, `log`, `info`, `debug`…, or `pageerror` for an uncaught exception. */
  type: string;
  text: string;
}

/** A page, with everything it logged. */
export interface EnginePage {
  readonly messages: PageMessage[];
  goto(url: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Waits until `expression` is truthy in the page. */
  waitFor(expression: string, timeoutMs: number): Promise<void>;
  /** The value of `expression` (awaited when it is a promise), JSON-serialisable. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** A running browser. */
export interface Engine {
  name: EngineName;
  version: string;
  /** A fresh page (its own context) with `initScript` run before any of the page's scripts. */
  newPage(initScript: string): Promise<EnginePage>;
  close(): Promise<void>;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const VIEWPORT = { width: 1000, height: 800 };

/** A console message, with the URL it is about when that is not in its text (a 404's). */
const withUrl = (text: string, url: string | undefined) =>
  url && !text.includes(url) ? `${text} (${url})` : text;

async function launchChromium(): Promise<Engine> {
  const browser: PlaywrightBrowser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  return {
    name: 'chromium',
    version: `Chromium ${browser.version()}`,
    async newPage(initScript) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      await context.addInitScript({ content: initScript });
      const page = await context.newPage();
      const messages: PageMessage[] = [];
      page.on('console', (message) =>
        messages.push({ type: message.type(), text: message.text() }),
      );
      page.on('pageerror', (error) => messages.push({ type: 'pageerror', text: String(error) }));
      return {
        messages,
        async goto(url) {
          await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
        },
        async click(selector) {
          await page.click(selector, { timeout: 10_000 });
        },
        async waitFor(expression, timeoutMs) {
          await page.waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 50 });
        },
        evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/**
 * Installs Debian's firefox-esr when it is missing and we may (root), as `.ci/ensure-chromium`
 * does for Chromium: the machine's own files must bring what the check needs.
 */
function ensureFirefox() {
  if (existsSync(FIREFOX)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Firefox is missing at ${FIREFOX}: apt-get install firefox-esr, or set FIREFOX_PATH`,
    );
  }
  console.log(`   Firefox is missing at ${FIREFOX}; installing Debian's firefox-esr…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'firefox-esr'], {
      env,
      stdio: 'ignore',
    }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
    install();
  }
  if (!existsSync(FIREFOX))
    throw new Error(`firefox-esr was installed but ${FIREFOX} is not there`);
}

async function launchFirefox(): Promise<Engine> {
  ensureFirefox();
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    protocol: 'webDriverBiDi',
    headless: true,
    defaultViewport: VIEWPORT,
  });
  const version = (await browser.version()).replace(/^firefox\//, 'Firefox ');
  return {
    name: 'firefox',
    version,
    async newPage(initScript) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.evaluateOnNewDocument(initScript);
      const messages: PageMessage[] = [];
      page.on('console', (message) => {
        const type = message.type();
        messages.push({
          type: type === 'warn' ? 'warning' : type,
          text: withUrl(message.text(), message.location().url),
        });
      });
      page.on('pageerror', (error) => messages.push({ type: 'pageerror', text: String(error) }));
      return {
        messages,
        async goto(url) {
          await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
        },
        async click(selector) {
          await page.waitForSelector(selector, { timeout: 10_000 });
          await page.click(selector);
        },
        async waitFor(expression, timeoutMs) {
          await page.waitForFunction(expression, { timeout: timeoutMs, polling: 50 });
        },
        evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** Launches an engine. */
export function launch(name: EngineName): Promise<Engine> {
  return name === 'chromium' ? launchChromium() : launchFirefox();
}
