/**
 * `npm run check:apps` (in `npm run check` and CI): the packed library in real apps, as users
 * install it, driven in two browser engines.
 *
 * 1. `npm pack` into a temp folder (`prepack` builds `dist/` first).
 * 2. Installs the apps of `test/apps/` (`next`: Next.js 16 App Router; `vite`: Vite 8 + React
 *    18; `webpack`: a plain webpack 5 build) with `npm ci --prefer-offline`, each in
 *    `node_modules/.cache/react-partial-images/apps/<name>-<hash of its lock file>/` (reused while
 *    the lock file does not change), then the tarball into each.
 * 3. Builds and serves them: `next build` (Turbopack) and `next build --webpack`, each with
 *    `next start` and its route handler calling the real openai SDK against a local fake of the
 *    API; `vite build` served by a Node server that relays the fake with the packed
 *    `pipeSSEToNodeResponse`, and the `vite` dev server proxying to it; the webpack build, served
 *    the same way.
 * 4. In Chromium (Playwright) and Firefox ESR (puppeteer-core over WebDriver BiDi): clicks
 *    "Generate" and checks that a preview then the final image reach the screen, with no console
 *    error or hydration warning, and that the parsing Worker ran (see `lib/checks.ts`); in the
 *    Next.js app, that the server component (which imports `/core`) rendered on the server; in
 *    the Vite build, the decode-before-swap page.
 *
 * Options: `--apps=next,vite,webpack`, `--browsers=chromium,firefox`, `--fresh` (install the
 * apps again, ignoring the cache), `--keep` (keep the temp folder of the tarball). Exits 1 if
 * any check failed.
 */

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Packed, pack, table, tempFolder } from '../package/lib';
import { type Engine, type EngineName, launch } from './lib/browsers';
import { appCheck, type CheckResult, decodeCheck, newResult } from './lib/checks';
import { type AppName, type InstalledApp, installApp } from './lib/install';
import {
  command,
  freePort,
  type ServerProcess,
  startServer,
  stopAll,
  waitForUrl,
} from './lib/procs';
import { type Fakes, startAppServer, startFakes } from './lib/servers';

function option(name: string, fallback: string): string[] {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return (arg ? arg.slice(name.length + 3) : fallback).split(',').filter(Boolean);
}

const apps = option('apps', 'next,vite,webpack') as AppName[];
const browsers = option('browsers', 'chromium,firefox') as EngineName[];
const fresh = process.argv.includes('--fresh');
const keep = process.argv.includes('--keep');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const results: CheckResult[] = [];
/** Timing rows: app, step, seconds. */
const timings: string[][] = [['app', 'step', 'time']];
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0' };

function timed(app: string, step: string, ms: number) {
  timings.push([app, step, seconds(ms)]);
  console.log(`   ${step}: ${seconds(ms)}`);
}

function report(result: CheckResult) {
  results.push(result);
  const ok = result.failures.length === 0;
  const w = result.workers;
  const workers = w
    ? ` · Worker: ${w.constructed} made, ${w.ready} ready (${w.startMs.join(', ')} ms), ${w.batches} event batches`
    : '';
  console.log(
    `   ${ok ? 'ok  ' : 'FAIL'} ${result.name} · ${result.engine} (${seconds(result.ms)})${workers}`,
  );
  for (const failure of result.failures) console.log(`        ✗ ${failure}`);
  for (const note of result.notes) console.log(`        · ${note}`);
}

/** What the Worker's URL answers: its status, type and size, or that it was inlined. */
async function describeWorker(result: CheckResult) {
  for (const url of new Set(result.workers?.urls ?? [])) {
    if (!/^https?:/.test(url)) {
      result.notes.push(`Worker script inlined (${url.slice(0, 30)}…)`);
      continue;
    }
    try {
      const response = await fetch(url);
      const size = (await response.arrayBuffer()).byteLength;
      result.notes.push(
        `Worker script: HTTP ${response.status}, ${response.headers.get('content-type')}, ` +
          `${(size / 1000).toFixed(1)} kB`,
      );
    } catch (error) {
      result.notes.push(`Worker script ${url}: ${String(error)}`);
    }
  }
}

async function check(engines: Engine[], run: (engine: Engine) => Promise<CheckResult>) {
  for (const engine of engines) {
    const result = await run(engine);
    await describeWorker(result);
    report(result);
  }
}

async function stopping<T>(server: ServerProcess, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await server.stop();
  }
}

async function nextApp(app: InstalledApp, engines: Engine[], fakes: Fakes) {
  const nextBin = join(app.dir, 'node_modules', 'next', 'dist', 'bin', 'next');
  for (const bundler of ['turbopack', 'webpack'] as const) {
    await rm(join(app.dir, '.next'), { recursive: true, force: true });
    const build = await command(
      npm,
      ['run', 'build', '--', ...(bundler === 'webpack' ? ['--webpack'] : [])],
      { cwd: app.dir, env },
    );
    timed('next', `next build (${bundler})`, build.ms);
    const port = await freePort();
    const server = startServer(
      process.execPath,
      [nextBin, 'start', '-H', '127.0.0.1', '-p', `${port}`],
      {
        cwd: app.dir,
        env: {
          ...env,
          OPENAI_BASE_URL: fakes.paced.baseURL,
          OPENAI_API_KEY: 'sk-fake',
        },
      },
    );
    await stopping(server, async () => {
      const url = `http://127.0.0.1:${port}/`;
      timed('next', `next start (${bundler}) until it answers`, await waitForUrl(url, server));
      // The server component's output is in the HTML itself: it ran on the server.
      const html = await (await fetch(url)).text();
      const ssr = newResult(`next (${bundler}): server component in the HTML`, 'node');
      if (!html.includes('response completed, 1 item (ig_canned completed)')) {
        ssr.failures.push('the server-rendered HTML lacks the status reduced with /core');
      }
      if (
        !/data-testid="canned-image"[^>]*data-state="completed"|data-state="completed"[^>]*data-testid="canned-image"/.test(
          html,
        )
      ) {
        ssr.failures.push(
          'the HTML lacks the server-rendered <ProgressiveImage> of the canned item',
        );
      }
      report(ssr);
      await check(engines, (engine) =>
        appCheck(engine, {
          name: `next (${bundler})`,
          url,
          fake: fakes.paced,
          serverComponent: true,
        }),
      );
      const logged = server.output();
      if (/image generation failed|Error:|⨯/.test(logged)) {
        report({
          name: `next (${bundler}): server log`,
          engine: 'node',
          failures: [`next start logged an error:\n${logged.slice(-2000)}`],
          notes: [],
          ms: 0,
          workers: null,
        });
      }
    });
  }
}

async function viteApp(app: InstalledApp, engines: Engine[], fakes: Fakes) {
  const build = await command(npm, ['run', 'build'], { cwd: app.dir, env });
  timed('vite', 'tsc --noEmit && vite build', build.ms);
  const served = await startAppServer({ appDir: app.dir, fakes, roots: [join(app.dir, 'dist')] });
  try {
    await check(engines, (engine) =>
      appCheck(engine, { name: 'vite build', url: `${served.origin}/`, fake: fakes.paced }),
    );
    await check(engines, (engine) => decodeCheck(engine, served.origin));
    relayErrors('vite build', served.relayErrors);
  } finally {
    await served.close();
  }

  // The dev server: its dependency pre-bundling must not lose the Worker.
  const api = await startAppServer({ appDir: app.dir, fakes });
  const port = await freePort();
  const viteBin = join(app.dir, 'node_modules', 'vite', 'bin', 'vite.js');
  const server = startServer(
    process.execPath,
    [viteBin, '--host', '127.0.0.1', '--port', `${port}`, '--strictPort'],
    { cwd: app.dir, env: { ...env, RPI_API_ORIGIN: api.origin } },
  );
  try {
    await stopping(server, async () => {
      const url = `http://127.0.0.1:${port}/`;
      timed('vite', 'vite (dev) until it answers', await waitForUrl(url, server));
      await check(engines, (engine) =>
        appCheck(engine, { name: 'vite dev', url, fake: fakes.paced }),
      );
    });
    relayErrors('vite dev', api.relayErrors);
  } finally {
    await api.close();
  }
}

async function webpackApp(app: InstalledApp, engines: Engine[], fakes: Fakes) {
  const build = await command(npm, ['run', 'build'], { cwd: app.dir, env });
  timed('webpack', 'webpack (production)', build.ms);
  const served = await startAppServer({
    appDir: app.dir,
    fakes,
    roots: [join(app.dir, 'dist'), join(app.dir, 'public')],
  });
  try {
    await check(engines, (engine) =>
      appCheck(engine, { name: 'webpack 5', url: `${served.origin}/`, fake: fakes.paced }),
    );
    relayErrors('webpack', served.relayErrors);
  } finally {
    await served.close();
  }
}

function relayErrors(name: string, errors: readonly string[]) {
  if (errors.length === 0) return;
  report({
    name: `${name}: relay`,
    engine: 'node',
    failures: errors.map((error) => `the relay reported: ${error}`),
    notes: [],
    ms: 0,
    workers: null,
  });
}

async function main() {
  const started = performance.now();
  const temp = await tempFolder('rpi-apps-', keep);
  let fakes: Fakes | null = null;
  const engines: Engine[] = [];
  try {
    console.log('\n-- npm pack (prepack builds first)');
    const packStarted = performance.now();
    const packed: Packed = await pack(temp.path);
    timed('library', 'npm pack (with the build)', performance.now() - packStarted);

    fakes = await startFakes();
    for (const name of browsers) {
      const launched = performance.now();
      const engine = await launch(name);
      engines.push(engine);
      console.log(`   ${engine.version} launched in ${seconds(performance.now() - launched)}`);
    }

    for (const name of apps) {
      console.log(`\n-- ${name}`);
      const app = await installApp(name, packed.tarball, { fresh, work: temp.path });
      timed(name, app.cached ? 'npm ci (cached install reused)' : 'npm ci (cold)', app.ciMs);
      timed(name, 'copy of the install (hard links)', app.copyMs);
      timed(name, `npm install <tarball> (${app.version})`, app.tarballMs);
      const run = { next: nextApp, vite: viteApp, webpack: webpackApp }[name];
      if (!run) throw new Error(`no app ${name}`);
      const appStarted = performance.now();
      try {
        await run(app, engines, fakes);
      } catch (error) {
        report({
          name,
          engine: 'node',
          failures: [String(error instanceof Error ? error.message : error).slice(0, 4000)],
          notes: [],
          ms: performance.now() - appStarted,
          workers: null,
        });
      }
      timed(name, 'build, serve and check (all)', performance.now() - appStarted);
    }
  } finally {
    for (const engine of engines) await engine.close().catch(() => {});
    await fakes?.close();
    stopAll();
    await temp.dispose();
  }

  console.log('\n-- timings');
  console.log(table(timings).replace(/^/gm, '   '));
  console.log(`   total: ${seconds(performance.now() - started)}`);
  const failed = results.filter((result) => result.failures.length > 0);
  if (failed.length > 0) {
    console.log('\n-- failed');
    for (const result of failed) console.log(`   ${result.name} · ${result.engine}`);
  }
  console.log(`\napps: ${results.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length === 0 && results.length > 0 ? 0 : 1;
}

await main();
