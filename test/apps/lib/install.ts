/**
 * Installs an app of `test/apps/<name>/` the way a user's project is installed: its own
 * package.json and lock file (`npm ci`), then the library's packed tarball. The install lives
 * outside the repo's source tree, in `node_modules/.cache/react-partial-images/apps/<name>-<hash
 * of its lock file>/`, and is reused while the lock file does not change. Each run builds a copy
 * of it, with the tarball and the app's sources put in afresh.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { command } from './procs';

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the apps' sources are committed. */
export const appsSource = fileURLToPath(new URL('../', import.meta.url));

/** Where the installed apps are kept between runs. */
export const appsCache = join(repoRoot, 'node_modules', '.cache', 'react-partial-images', 'apps');

/** The apps, by folder name. */
export type AppName = 'next' | 'vite' | 'webpack';

/** An installed app, ready to build. */
export interface InstalledApp {
  name: AppName;
  /** The run's copy of the app, where it is built (outside any `node_modules`). */
  dir: string;
  /** `npm ci` ran (a cold install), or the cached install was reused. */
  cached: boolean;
  /** The `npm ci` time (0 when cached), the copy of the install, and the tarball's install. */
  ciMs: number;
  copyMs: number;
  tarballMs: number;
  /** The library's version as installed in the app. */
  version: string;
}

/** Written once `npm ci` succeeded: a folder without it is a broken install, redone. */
const MARKER = '.rpi-installed';
/** The files of an app folder that make its install; everything else is its source. */
const INSTALL_FILES = new Set(['package.json', 'package-lock.json', 'node_modules']);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quietNpm = ['--no-audit', '--no-fund', '--loglevel=error'];

/** The cached install of the app's lock file: made with `npm ci` unless it is there already. */
async function cachedInstall(name: AppName, fresh: boolean) {
  const source = join(appsSource, name);
  const lock = readFileSync(join(source, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex').slice(0, 12);
  const dir = join(appsCache, `${name}-${hash}`);
  await mkdir(appsCache, { recursive: true });
  // Installs of older lock files are of no further use.
  for (const entry of await readdir(appsCache)) {
    if (entry.startsWith(`${name}-`) && entry !== `${name}-${hash}`) {
      await rm(join(appsCache, entry), { recursive: true, force: true });
    }
  }
  if (fresh) await rm(dir, { recursive: true, force: true });
  if (existsSync(join(dir, MARKER))) return { dir, cached: true, ciMs: 0 };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(join(source, 'package.json'), join(dir, 'package.json'));
  await cp(join(source, 'package-lock.json'), join(dir, 'package-lock.json'));
  // `--prefer-offline`: npm's cache answers what it holds, the registry the rest.
  const { ms } = await command(npm, ['ci', '--prefer-offline', ...quietNpm], { cwd: dir });
  await writeFile(join(dir, MARKER), `${new Date().toISOString()}\n`);
  return { dir, cached: false, ciMs: ms };
}

/**
 * Copies the cached install into `work` (hard links where the file system allows: a second at
 * most), then installs `tarball` and the app's sources there.
 *
 * The app is built in `work`, not in the cache: a project whose own path contains
 * `node_modules` is not what users have, and `next build --webpack` does not compile such a
 * project's TypeScript (its loaders skip every file under `node_modules`). The cache also stays
 * as `npm ci` left it, and module lookups cannot walk up into the repo's `node_modules`.
 */
export async function installApp(
  name: AppName,
  tarball: string,
  options: { fresh: boolean; work: string },
): Promise<InstalledApp> {
  const install = await cachedInstall(name, options.fresh);
  const dir = join(options.work, name);
  await mkdir(dir, { recursive: true });
  const copyStarted = performance.now();
  for (const entry of INSTALL_FILES) {
    const from = join(install.dir, entry);
    try {
      await command('cp', ['-al', from, join(dir, entry)], { cwd: dir });
    } catch {
      await cp(from, join(dir, entry), { recursive: true, verbatimSymlinks: true });
    }
  }
  const copyMs = performance.now() - copyStarted;
  // npm rewrites its hidden lock file; a hard link to the cache's must not be written through.
  await rm(join(dir, 'node_modules', '.package-lock.json'), { force: true });

  // The tarball, as `npm install <tarball>` puts it in a project, without touching the app's
  // package.json or lock file.
  const { ms: tarballMs } = await command(
    npm,
    ['install', '--no-save', '--prefer-offline', ...quietNpm, tarball],
    { cwd: dir },
  );
  const source = join(appsSource, name);
  for (const entry of await readdir(source)) {
    if (!INSTALL_FILES.has(entry))
      await cp(join(source, entry), join(dir, entry), { recursive: true });
  }

  const installed = join(dir, 'node_modules', 'react-partial-images', 'package.json');
  if (!existsSync(installed)) throw new Error(`${name}: the tarball was not installed`);
  if (!existsSync(join(dir, 'node_modules', 'zod', 'package.json'))) {
    throw new Error(`${name}: the library's dependency zod was not installed in the app`);
  }
  const { version } = JSON.parse(readFileSync(installed, 'utf8')) as { version: string };
  return { name, dir, cached: install.cached, ciMs: install.ciMs, copyMs, tarballMs, version };
}
