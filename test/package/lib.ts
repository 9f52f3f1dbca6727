/**
 * Helpers shared by the package checks (`check.ts`, `size.ts`): pack the repo the way `npm
 * publish` would, and install the tarball into a throwaway consumer project, offline.
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The repository's `node_modules`, where the consumer's dependencies are copied from. */
export const repoModules = join(repoRoot, 'node_modules');

/** What a command printed, and how it ended. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, capturing its output (nothing goes through a shell). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv } = { cwd: repoRoot },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Like {@link run}, but throws with the command's output when it fails. */
export async function runOrThrow(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv } = { cwd: repoRoot },
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** A binary of the repo's own devDependencies (`node_modules/.bin/<name>`). */
export const bin = (name: string) => join(repoModules, '.bin', name);

/** A folder in the temp dir, removed by `dispose` unless `keep`. */
export async function tempFolder(prefix: string, keep: boolean) {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async dispose() {
      if (keep) console.log(`(kept ${path})`);
      else await rm(path, { recursive: true, force: true });
    },
  };
}

/** One file of a tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  path: string;
  size: number;
}

/** A packed tarball. */
export interface Packed {
  /** The `.tgz` file. */
  tarball: string;
  files: PackedFile[];
  /** Its packed (gzip) and unpacked sizes in bytes. */
  size: number;
  unpackedSize: number;
}

/**
 * `npm pack` into `destination`: runs `prepack` (the build) first, as `npm publish` does, so the
 * tarball is what a user would install.
 */
export async function pack(destination: string): Promise<Packed> {
  const { stdout } = await runOrThrow(
    'npm',
    ['pack', '--json', '--pack-destination', destination],
    { cwd: repoRoot },
  );
  // Script output can precede the JSON: it is the last top-level array printed.
  const json = stdout.slice(stdout.lastIndexOf('\n[') + 1);
  const [info] = JSON.parse(json) as {
    filename: string;
    files: PackedFile[];
    size: number;
    unpackedSize: number;
  }[];
  if (!info) throw new Error(`npm pack printed no tarball:\n${stdout}`);
  return {
    tarball: join(destination, info.filename),
    files: info.files,
    size: info.size,
    unpackedSize: info.unpackedSize,
  };
}

/** The fields of a package.json the checks read. */
export interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
}

const readManifest = (folder: string) =>
  JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;

/**
 * The repo's `node_modules` folders of `names` and of everything they depend on, for an
 * offline install: the registry is never asked.
 */
function dependencyFolders(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  const queue = [...names];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    const folder = join(repoModules, name);
    if (!existsSync(join(folder, 'package.json'))) {
      throw new Error(`${name} is not installed in the repo; run npm ci first`);
    }
    seen.set(name, folder);
    queue.push(...Object.keys(readManifest(folder).dependencies ?? {}));
  }
  return [...seen.values()];
}

/** The package's name and `dependencies` + `peerDependencies`, from the repo's package.json. */
export const packageManifest = () => readManifest(repoRoot);

/**
 * Makes a consumer project in `folder` (`"type": "module"`) and installs the tarball into it,
 * with the package's dependencies and peers, plus `extra` (such as `@types/react`), copied from
 * the repo's `node_modules`: no network, and the versions the repo is tested with.
 */
export async function installConsumer(
  folder: string,
  tarball: string,
  extra: readonly string[],
): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  const manifest = packageManifest();
  const folders = dependencyFolders([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...extra,
  ]);
  await runOrThrow(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--ignore-scripts',
      // Copy the folders (as a registry install would) instead of linking them.
      '--install-links',
      tarball,
      ...folders,
    ],
    { cwd: folder },
  );
}

/** `1234` → `1.23 kB` (1 kB = 1000 bytes, as Vite and npm print sizes). */
export const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;

/** Pads the cells of `rows` into aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}
