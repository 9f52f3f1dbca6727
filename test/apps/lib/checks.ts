/**
 * What the check asserts in a browser, for any app and either engine:
 *
 * - the app check: click "Generate", a preview reaches the screen, then the final image (the
 *   `<ProgressiveImage>` root's `data-state`, `data-partial-index` and `data-final`, and an
 *   `<img>` that is loaded, decoded and on top), with no console error and no hydration
 *   warning, the request went through the real openai SDK to the fake, and the parsing Worker
 *   ran (counted by a `window.Worker` wrapper installed before the app loads);
 * - the decode check (the Vite app's `decode.html`): every image made visible had finished
 *   `decode()`, never a blank or undecoded frame on screen, the box never moved.
 */

import { performance } from 'node:perf_hooks';
import type { FakeOpenAIServer, RecordedRequest } from '../../support/fake-openai';
import type { Engine, PageMessage } from './browsers';

/** What the `window.Worker` wrapper counted. */
export interface WorkerCounts {
  /** `new Worker(…)` calls. */
  constructed: number;
  /** `{ t: 'ready' }` messages: the Worker's script ran. */
  ready: number;
  /** `{ t: 'events' }` messages: batches of events the Worker parsed. */
  batches: number;
  /** `error` events on a Worker (a script that failed to load or to run). */
  errors: number;
  /** The URLs the Workers were made with. */
  urls: string[];
  /** Milliseconds from `new Worker(…)` to its `ready` message (reported, not asserted). */
  startMs: number[];
}

/** One check's outcome. */
export interface CheckResult {
  name: string;
  engine: string;
  failures: string[];
  /** Findings that are reported, not asserted. */
  notes: string[];
  ms: number;
  workers: WorkerCounts | null;
  /** The decode page's report, for the decode check. */
  decode?: DecodeReport;
}

/** A check's result before it ran: no failure, no note. */
export function newResult(name: string, engine: string): CheckResult {
  return { name, engine, failures: [], notes: [], ms: 0, workers: null };
}

/**
 * Runs before any script of the page: counts Workers and their messages, and records every
 * state the `<ProgressiveImage>` roots go through (a preview can be on screen for less time than
 * a poll takes, so the attributes are observed, not sampled).
 */
export const INIT_SCRIPT = `(() => {
  const counts = { constructed: 0, ready: 0, batches: 0, errors: 0, urls: [], startMs: [] };
  window.__rpiWorkers = counts;
  const history = [];
  window.__rpiHistory = history;
  const Real = window.Worker;
  if (typeof Real === 'function') {
    window.Worker = class CountingWorker extends Real {
      constructor(url, options) {
        super(url, options);
        const made = performance.now();
        counts.constructed++;
        counts.urls.push(String(url));
        this.addEventListener('message', (event) => {
          const t = event.data && event.data.t;
          if (t === 'events') counts.batches++;
          else if (t === 'ready') {
            counts.ready++;
            counts.startMs.push(Math.round(performance.now() - made));
          }
        });
        this.addEventListener('error', () => { counts.errors++; });
      }
    };
  }
  const record = (el) => {
    const entry = {
      id: el.getAttribute('data-testid'),
      state: el.getAttribute('data-state'),
      partial: el.getAttribute('data-partial-index'),
      final: el.hasAttribute('data-final'),
    };
    const last = history[history.length - 1];
    if (last && last.id === entry.id && last.state === entry.state &&
        last.partial === entry.partial && last.final === entry.final) return;
    history.push(entry);
  };
  const visit = (node) => {
    if (node.nodeType !== 1) return;
    if (node.hasAttribute('data-state') && node.hasAttribute('data-testid')) record(node);
    for (const el of node.querySelectorAll('[data-state][data-testid]')) record(el);
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === 'attributes') visit(m.target);
      else for (const node of m.addedNodes) visit(node);
    }
  }).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state', 'data-partial-index', 'data-final'],
  });
})();`;

interface HistoryEntry {
  id: string;
  state: string;
  partial: string | null;
  final: boolean;
}

interface ImageProbe {
  state: string | null;
  final: boolean;
  partial: string | null;
  frames: number;
  visible: number;
  complete: boolean;
  naturalWidth: number;
  decoded: boolean;
  onTop: boolean;
  width: number;
}

/** What the visible frame of the `<ProgressiveImage>` with this test id looks like. */
const imageProbe = (testId: string) => `(async () => {
  const box = document.querySelector('[data-testid="${testId}"]');
  if (!box) return null;
  const frames = [...box.querySelectorAll('img[data-part="frame"]')];
  const visible = frames.filter((img) => Number(getComputedStyle(img).opacity) > 0);
  const img = visible[visible.length - 1];
  const out = {
    state: box.getAttribute('data-state'),
    final: box.hasAttribute('data-final'),
    partial: box.getAttribute('data-partial-index'),
    frames: frames.length,
    visible: visible.length,
    complete: false, naturalWidth: 0, decoded: false, onTop: false, width: 0,
  };
  if (!img) return out;
  out.complete = img.complete;
  out.naturalWidth = img.naturalWidth;
  try { await img.decode(); out.decoded = true; } catch {}
  img.scrollIntoView({ block: 'center' });
  const r = img.getBoundingClientRect();
  out.width = r.width;
  out.onTop = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === img;
  return out;
})()`;

/** Failures of an image that should show its final frame, on screen. */
function finalShown(what: string, probe: ImageProbe | null): string[] {
  if (!probe) return [`${what}: no <ProgressiveImage> root`];
  const failures: string[] = [];
  if (probe.state !== 'completed') failures.push(`${what}: data-state is ${probe.state}`);
  if (!probe.final) failures.push(`${what}: no data-final`);
  if (probe.partial !== null) failures.push(`${what}: data-partial-index ${probe.partial}`);
  if (probe.visible === 0) failures.push(`${what}: no visible <img>`);
  else {
    if (!probe.complete || probe.naturalWidth === 0) failures.push(`${what}: <img> not loaded`);
    if (!probe.decoded) failures.push(`${what}: <img>.decode() rejected`);
    if (!probe.onTop) failures.push(`${what}: <img> is not what is on screen at its centre`);
    if (probe.width === 0) failures.push(`${what}: <img> has no width`);
  }
  return failures;
}

/** Console errors, uncaught errors and anything about hydration. */
function messageFailures(messages: readonly PageMessage[]): string[] {
  return messages
    .filter(
      (message) =>
        message.type === 'error' || message.type === 'pageerror' || /hydrat/i.test(message.text),
    )
    .map((message) => `console ${message.type}: ${message.text.slice(0, 400)}`);
}

const isImageRequest = (request: RecordedRequest) =>
  request.method === 'POST' && request.path === '/v1/responses';

/** The app check (see the module comment). */
export async function appCheck(
  engine: Engine,
  options: {
    name: string;
    url: string;
    fake: FakeOpenAIServer;
    /** The Next.js page: also check the server component's output. */
    serverComponent?: boolean;
  },
): Promise<CheckResult> {
  const started = performance.now();
  const result = newResult(options.name, engine.name);
  const page = await engine.newPage(INIT_SCRIPT);
  try {
    await page.goto(options.url);
    await page.waitFor(`document.querySelector('[data-testid="generator"][data-ready]')`, 30_000);

    if (options.serverComponent) {
      const text = await page.evaluate<string | null>(
        `document.querySelector('[data-testid="server-status"]')?.textContent ?? null`,
      );
      if (!text?.includes('response completed, 1 item (ig_canned completed)')) {
        result.failures.push(`server component: unexpected status ${JSON.stringify(text)}`);
      }
      await page.waitFor(
        `document.querySelector('[data-testid="canned-image"][data-final]')`,
        15_000,
      );
      result.failures.push(
        ...finalShown('server-rendered item', await page.evaluate(imageProbe('canned-image'))),
      );
    }

    const before = options.fake.requests.filter(isImageRequest).length;
    await page.click('[data-testid="generator"] button');
    await page.waitFor(
      `(() => {
        const status = document.querySelector('[data-testid="status"]')?.textContent;
        const box = document.querySelector('[data-testid="generated-image"]');
        return status === 'failed' || (status === 'completed' && box?.hasAttribute('data-final'));
      })()`,
      60_000,
    );
    const status = await page.evaluate<string>(
      `document.querySelector('[data-testid="status"]')?.textContent ?? ''`,
    );
    const alert = await page.evaluate<string | null>(
      `document.querySelector('[role="alert"]')?.textContent ?? null`,
    );
    if (status !== 'completed') result.failures.push(`status ${status}: ${alert ?? ''}`);
    result.failures.push(
      ...finalShown('generated item', await page.evaluate(imageProbe('generated-image'))),
    );

    const history = await page.evaluate<HistoryEntry[]>('window.__rpiHistory');
    const generated = history.filter((entry) => entry.id === 'generated-image');
    const preview = generated.findIndex((entry) => entry.state === 'partial' && entry.partial);
    const final = generated.findIndex((entry) => entry.final);
    if (preview === -1) result.failures.push('no preview was on screen before the final');
    else if (final !== -1 && final < preview)
      result.failures.push('a preview came after the final');
    result.notes.push(
      `states: ${generated
        .map(
          (entry) =>
            `${entry.state}${entry.partial !== null ? `#${entry.partial}` : ''}${entry.final ? '(final)' : ''}`,
        )
        .join(' → ')}`,
    );

    const workers = await page.evaluate<WorkerCounts>('window.__rpiWorkers');
    result.workers = workers;
    result.notes.push(
      `Worker URL: ${workers.urls.map((url) => url.slice(0, 120)).join(', ') || 'none'}`,
    );
    if (workers.constructed === 0) result.failures.push('the library made no Worker');
    else if (workers.ready === 0 || workers.batches === 0) {
      result.failures.push(
        `the Worker did not parse the stream (ready ${workers.ready}, event batches ${workers.batches}, errors ${workers.errors}, url ${workers.urls.join(' ')})`,
      );
    }

    const requests = options.fake.requests.filter(isImageRequest).slice(before);
    const body = requests[0]?.body as { stream?: boolean; tools?: { type?: string }[] } | undefined;
    if (requests.length !== 1) result.failures.push(`the fake got ${requests.length} requests`);
    else {
      if (body?.stream !== true || body.tools?.[0]?.type !== 'image_generation') {
        result.failures.push('the request to the fake was not a streamed image request');
      }
      // The SDK's own headers. (Its user agent is `<client class name>/JS <version>`, and a
      // minifier may rename the class: Turbopack's server build sends `hY/JS 7.59.0`.)
      const headers = requests[0]?.headers ?? {};
      if (headers['x-stainless-lang'] !== 'js' || !/\/JS \d/.test(headers['user-agent'] ?? '')) {
        result.failures.push(
          `the request did not come from the openai SDK (${headers['user-agent'] ?? 'no user agent'})`,
        );
      }
    }
  } catch (error) {
    result.failures.push(String(error instanceof Error ? error.message : error).slice(0, 2000));
  } finally {
    result.failures.push(...messageFailures(page.messages));
    const warnings = page.messages.filter((message) => message.type === 'warning');
    for (const warning of warnings) result.notes.push(`warning: ${warning.text.slice(0, 300)}`);
    await page.close();
    result.ms = performance.now() - started;
  }
  return result;
}

/** One scenario of the decode page (`test/apps/vite/src/decode.tsx`). */
export interface DecodeScenario {
  name: string;
  shown: number[];
  madeVisible: number;
  madeVisibleDecoded: number;
  samples: number;
  blank: number;
  undecoded: number;
  fading: number;
  boxSizes: string[];
  stalled: string | null;
}

/** The decode page's `window.__decode`. */
export interface DecodeReport {
  userAgent: string;
  probes: Record<string, boolean | string>;
  decodeCalls: number;
  decodeResolvedIncomplete: number;
  decodeRejected: number;
  scenarios: DecodeScenario[];
  error: string | null;
  done: boolean;
}

/** The decode check (see the module comment). */
export async function decodeCheck(engine: Engine, origin: string): Promise<CheckResult> {
  const started = performance.now();
  const result = newResult('vite build: decode before swap', engine.name);
  const page = await engine.newPage(INIT_SCRIPT);
  try {
    await page.goto(`${origin}/decode.html`);
    await page.waitFor('window.__decode && window.__decode.done', 240_000);
    const report = await page.evaluate<DecodeReport>('window.__decode');
    result.decode = report;
    if (report.error) result.failures.push(`decode page: ${report.error}`);
    if (report.scenarios.length !== 7) {
      result.failures.push(`${report.scenarios.length} of 7 scenarios ran`);
    }
    for (const s of report.scenarios) {
      const fail = (message: string) => result.failures.push(`${s.name}: ${message}`);
      if (s.stalled) fail(s.stalled);
      if (s.shown.join() !== '0,1,2,3') fail(`frames shown ${JSON.stringify(s.shown)}`);
      if (s.madeVisible < 4) fail(`${s.madeVisible} images made visible`);
      if (s.madeVisibleDecoded !== s.madeVisible) {
        fail(`${s.madeVisible - s.madeVisibleDecoded} images made visible before decode()`);
      }
      if (s.samples <= 8) fail(`only ${s.samples} animation frames sampled`);
      if (s.blank > 0) fail(`${s.blank} animation frames with no visible image`);
      if (s.undecoded > 0) fail(`${s.undecoded} animation frames with an undecoded image`);
      if (s.boxSizes.length !== 1 || !s.boxSizes[0]?.startsWith('480x')) {
        fail(`the box moved: ${s.boxSizes.join(', ')}`);
      }
      if (s.name.includes('crossfade') && s.fading === 0) fail('no frame had two images fading');
    }
    result.notes.push(
      `decode(): ${report.decodeCalls} calls, ${report.decodeRejected} rejected, ` +
        `${report.decodeResolvedIncomplete} resolved before the image was complete`,
      `features: ${Object.entries(report.probes)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );
  } catch (error) {
    result.failures.push(String(error instanceof Error ? error.message : error).slice(0, 2000));
  } finally {
    result.failures.push(...messageFailures(page.messages));
    await page.close();
    result.ms = performance.now() - started;
  }
  return result;
}
