/**
 * `npm run check:package` (in `npm run check` and CI): checks the package a user installs, from
 * the tarball, not from the working tree.
 *
 * 1. `npm pack` into a temp folder (`prepack` builds first) and list the tarball's files.
 * 2. publint `--strict` and attw (`--profile esm-only`) on the tarball.
 * 3. The `'use client'` banner: first in the root entry's JS and the React modules (`dist/react/`),
 *    nowhere else.
 * 4. Workers: each `new Worker(new URL('./x.js', import.meta.url))` in the shipped JS names a
 *    file that is shipped beside it.
 * 5. A consumer project in the temp folder installs the tarball (its dependencies and
 *    `@types/react` copied from the repo's node_modules, offline) and type-checks imports from
 *    all three entries under `bundler`, `node16` and `nodenext` with `skipLibCheck: false`;
 *    wrong uses marked `@ts-expect-error` fail the check if a type silently becomes `any`.
 * 6. Node runs the packed JS: `import` of every entry and a stream through the store, and
 *    `require()` of every entry (Node 20.19+ and 22.12+ load ES modules; older ones must throw
 *    ERR_REQUIRE_ESM). `PACKAGE_CHECK_NODES=/path/to/node:/other/node` adds Node binaries.
 *
 * Exits 1 if anything failed. `--keep` keeps the temp folder.
 */

import { readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSync, Visitor } from 'vite';
import {
  bin,
  installConsumer,
  kB,
  type Packed,
  pack,
  packageManifest,
  repoModules,
  run,
  table,
  tempFolder,
} from './lib';
import { cjsProbe, esmProbe, requireProbe, runtimeProbe } from './probes';

const keep = process.argv.includes('--keep');
const failures: string[] = [];

function step(title: string) {
  console.log(`\n-- ${title}`);
}

function fail(message: string) {
  failures.push(message);
  console.log(`FAIL: ${message}`);
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');

/** The files the export conditions point at, from package.json#exports. */
function exportTargets(): string[] {
  return Object.values(packageManifest().exports ?? {}).flatMap((target) =>
    typeof target === 'string' ? [target] : Object.values(target),
  );
}

function listFiles(packed: Packed) {
  step(`tarball: ${posix.basename(packed.tarball)}`);
  const rows = packed.files
    .slice()
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((file) => [file.path, kB(file.size)]);
  console.log(indent(table(rows)));
  console.log(
    `   ${packed.files.length} files, ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked`,
  );
  const paths = new Set(packed.files.map((file) => file.path));
  for (const target of exportTargets()) {
    if (!paths.has(posix.normalize(target))) fail(`exports target ${target} is not in the tarball`);
  }
  const stray = [...paths].filter(
    (path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(path),
  );
  if (stray.length > 0) fail(`files outside dist/ in the tarball: ${stray.join(', ')}`);
}

async function lint(packed: Packed) {
  step('publint --strict (on the tarball)');
  const publint = await run(bin('publint'), ['--strict', packed.tarball], { cwd: repoModules });
  console.log(indent(publint.stdout + publint.stderr));
  if (publint.code !== 0) fail('publint --strict reported problems');

  // ESM-only on purpose: the profile leaves out node10 and node16-from-CJS, where a `require`
  // of an ES module is all attw can report (see the README's "Package" note).
  step('attw --profile esm-only (on the tarball)');
  const attw = await run(bin('attw'), [packed.tarball, '--profile', 'esm-only'], {
    cwd: repoModules,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  console.log(indent(attw.stdout + attw.stderr));
  if (attw.code !== 0) fail('attw reported problems');
}

/** A `'use client'` directive: the first statement, after comments if any. */
const USE_CLIENT = /^(?:\s+|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])use client\1/;

/**
 * The `'use client'` banner: the root entry's JS and each React module (`dist/react/*.js`, one
 * file per source module) start with it; no other file has it (the core and the server run in
 * server components and route handlers).
 */
async function clientBanner(packageDir: string, packed: Packed) {
  step("'use client'");
  const root = packageManifest().exports?.['.'];
  const rootJs = posix.normalize(typeof root === 'string' ? root : (root?.default ?? ''));
  for (const file of packed.files) {
    if (!/\.(?:js|d\.ts)$/.test(file.path)) continue;
    const code = await readFile(join(packageDir, file.path), 'utf8');
    const has = USE_CLIENT.test(code);
    const client = file.path === rootJs || /^dist\/react\/[^/]+\.js$/.test(file.path);
    if (client) {
      console.log(`   ${file.path}: ${has ? "starts with 'use client'" : 'NO BANNER'}`);
      if (!has) fail(`${file.path} does not start with 'use client'`);
    } else if (has) {
      fail(`${file.path} has a 'use client' banner: only ${rootJs} and dist/react/ should`);
    }
  }
}

/** The relative URLs of `new Worker(new URL('…', import.meta.url))` in `code` (not comments). */
function workerUrls(fileName: string, code: string): string[] {
  const urls: string[] = [];
  new Visitor({
    NewExpression(node) {
      if (node.callee.type !== 'Identifier' || !/^(?:Shared)?Worker$/.test(node.callee.name))
        return;
      const url = node.arguments[0];
      if (url?.type !== 'NewExpression' || url.callee.type !== 'Identifier') return;
      const [literal, base] = url.arguments;
      if (url.callee.name !== 'URL' || literal?.type !== 'Literal') return;
      if (typeof literal.value !== 'string' || !literal.value.startsWith('.')) return;
      if (code.slice(base?.start ?? 0, base?.end ?? 0) === 'import.meta.url')
        urls.push(literal.value);
    },
  }).visit(parseSync(fileName, code).program);
  return urls;
}

/** Every module worker the JS starts is a file shipped next to the chunk that starts it. */
async function workers(packageDir: string, packed: Packed) {
  step('workers');
  const paths = new Set(packed.files.map((file) => file.path));
  let found = 0;
  for (const file of packed.files) {
    if (!file.path.endsWith('.js')) continue;
    const code = await readFile(join(packageDir, file.path), 'utf8');
    for (const url of workerUrls(file.path, code)) {
      found++;
      const target = posix.normalize(posix.join(posix.dirname(file.path), url));
      const ok = paths.has(target);
      console.log(`   ${file.path} starts ${url} → ${target}: ${ok ? 'shipped' : 'MISSING'}`);
      if (!ok) fail(`${file.path} starts a worker ${url} that is not in the tarball`);
    }
  }
  if (found === 0) console.log('   none');
}

interface MatrixRow {
  resolution: 'bundler' | 'node16' | 'nodenext';
  consumer: 'ESM' | 'CJS';
  file: string;
  /** Error codes the row must produce (all of them, and no other); none for a clean check. */
  expectedErrors: readonly string[];
  note: string;
}

const matrix: readonly MatrixRow[] = [
  { resolution: 'bundler', consumer: 'ESM', file: 'esm.tsx', expectedErrors: [], note: '' },
  { resolution: 'node16', consumer: 'ESM', file: 'esm.tsx', expectedErrors: [], note: '' },
  { resolution: 'nodenext', consumer: 'ESM', file: 'esm.tsx', expectedErrors: [], note: '' },
  {
    resolution: 'node16',
    consumer: 'CJS',
    file: 'cjs.cts',
    expectedErrors: ['TS1479'],
    note: 'ESM-only: a require() of an ES module (dynamic import() works)',
  },
  {
    resolution: 'nodenext',
    consumer: 'CJS',
    file: 'cjs.cts',
    expectedErrors: [],
    note: 'require() of ESM, as Node 20.19+ / 22.12+ do',
  },
];

async function typeMatrix(consumer: string) {
  step('tsc matrix (skipLibCheck: false, strict)');
  await writeFile(join(consumer, 'esm.tsx'), esmProbe);
  await writeFile(join(consumer, 'cjs.cts'), cjsProbe);
  const tsc = join(repoModules, 'typescript', 'bin', 'tsc');
  const { version } = JSON.parse(
    await readFile(join(repoModules, 'typescript', 'package.json'), 'utf8'),
  ) as { version: string };
  const rows: string[][] = [['resolution', 'consumer', 'result', 'time', 'note']];
  const details: string[] = [];
  for (const row of matrix) {
    const name = `tsconfig.${row.resolution}-${row.consumer.toLowerCase()}.json`;
    const config = {
      compilerOptions: {
        module: row.resolution === 'bundler' ? 'esnext' : row.resolution,
        moduleResolution: row.resolution,
        target: 'es2022',
        lib: ['es2022', 'dom', 'dom.iterable'],
        jsx: 'react-jsx',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: [],
      },
      files: [row.file],
    };
    await writeFile(join(consumer, name), `${JSON.stringify(config, null, 2)}\n`);
    const started = performance.now();
    const result = await run(process.execPath, [tsc, '-p', name, '--pretty', 'false'], {
      cwd: consumer,
    });
    const seconds = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    const output = (result.stdout + result.stderr).trim();
    const codes = [...output.matchAll(/error (TS\d+):/g)].map((match) => match[1] ?? '');
    const unexpected = codes.filter((code) => !row.expectedErrors.includes(code));
    const missing = row.expectedErrors.filter((code) => !codes.includes(code));
    const ok =
      unexpected.length === 0 && missing.length === 0 && codes.length > 0 === (result.code !== 0);
    const counted = [...new Set(codes)].map(
      (code) => `${code} ×${codes.filter((c) => c === code).length}`,
    );
    const outcome = codes.length === 0 ? 'types ok' : `${counted.join(', ')}`;
    rows.push([
      row.resolution,
      row.consumer,
      ok ? `${outcome}${codes.length > 0 ? ' (expected)' : ''}` : `FAIL: ${outcome}`,
      seconds,
      row.note,
    ]);
    if (!ok) {
      fail(`tsc ${row.resolution} (${row.consumer} consumer)`);
      const lines = output.split('\n');
      const shown = lines.slice(0, 30).join('\n');
      const more = lines.length > 30 ? `\n… ${lines.length - 30} more lines` : '';
      details.push(`${name}:\n${shown || `(exit ${result.code}, no output)`}${more}`);
    }
  }
  console.log(indent(`TypeScript ${version}\n${table(rows)}`));
  for (const detail of details) console.log(indent(detail));
}

/** The Node binaries to run the runtime probes with: this one, plus PACKAGE_CHECK_NODES. */
function nodeBinaries(): string[] {
  const extra = (process.env.PACKAGE_CHECK_NODES ?? '').split(':').filter(Boolean);
  return [process.execPath, ...extra];
}

async function runtime(consumer: string) {
  step('Node: import and require() of the packed JS');
  await writeFile(join(consumer, 'run.mjs'), runtimeProbe);
  await writeFile(join(consumer, 'require.cjs'), requireProbe);
  for (const node of nodeBinaries()) {
    const version = (await run(node, ['--version'], { cwd: consumer })).stdout.trim();
    const imported = await run(node, ['run.mjs'], { cwd: consumer });
    const importOk = imported.code === 0 && imported.stdout.trim() === 'ok';
    console.log(
      `   ${version} import: ${importOk ? 'ok (a stream went through the store)' : 'FAILED'}`,
    );
    if (!importOk) {
      fail(`Node ${version}: importing the package`);
      console.log(indent(imported.stdout + imported.stderr));
    }
    // Node 20.19+ and 22.12+ load ES modules with require() (unless they use top-level await).
    const features = await run(node, ['-p', 'Boolean(process.features.require_module)'], {
      cwd: consumer,
    });
    const requiresEsm = features.stdout.trim() === 'true';
    const required = await run(node, ['require.cjs'], { cwd: consumer });
    const lines = required.stdout.trim().split('\n');
    const expected = requiresEsm ? 'loaded' : 'ERR_REQUIRE_ESM';
    const requireOk =
      required.code === 0 &&
      lines.length === 3 &&
      lines.every((line) => line.endsWith(`: ${expected}`));
    console.log(
      `   ${version} require(): ${requireOk ? 'as expected' : 'UNEXPECTED'} (${
        requiresEsm ? 'loads ES modules' : 'cannot load ES modules'
      })\n${indent(lines.map((line) => `  ${line}`).join('\n'))}`,
    );
    if (!requireOk) fail(`Node ${version}: require() did not give ${expected}`);
  }
}

async function main() {
  const temp = await tempFolder('rpi-package-', keep);
  try {
    step('npm pack (prepack builds first)');
    const started = performance.now();
    const packed = await pack(temp.path);
    console.log(`   packed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    listFiles(packed);
    await lint(packed);

    const consumer = join(temp.path, 'consumer');
    step('consumer: install the tarball offline');
    await installConsumer(consumer, packed.tarball, ['@types/react']);
    const packageDir = join(consumer, 'node_modules', packageManifest().name);
    console.log(`   installed into ${posix.basename(temp.path)}/consumer`);

    await clientBanner(packageDir, packed);
    await workers(packageDir, packed);
    await typeMatrix(consumer);
    await runtime(consumer);
  } finally {
    await temp.dispose();
  }
  console.log(
    failures.length === 0
      ? '\npackage check: all passed'
      : `\npackage check: ${failures.length} failed\n${failures.map((f) => `- ${f}`).join('\n')}`,
  );
  process.exitCode = failures.length === 0 ? 0 : 1;
}

await main();
