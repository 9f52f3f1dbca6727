/**
 * `npm run size` (in `npm run check`): what `ProgressiveImage` + `usePartialImages` cost an app.
 *
 * Packs the package (`prepack` builds it), installs the tarball into a temp consumer, and bundles
 * `export { ProgressiveImage, usePartialImages } from 'react-partial-images'` with Vite's app
 * build (what most apps use; it also bundles module workers from `new Worker(new URL(…))`):
 * minified, `react`, `react-dom` and `react/jsx-runtime` external, zod bundled. Prints every JS
 * file emitted (the entry, shared and lazily loaded chunks, workers), minified and gzip (level
 * 9), and the total; then the same bundle with zod external, to tell how much of it is zod.
 *
 * The budget is the main thread's JS: the entry and the chunks it loads with it. The Worker's
 * file (which the browser fetches for the Worker, off the main thread) and the lazy chunk (the
 * in-page parser, fetched only where no Worker starts) are printed apart, with the totals of
 * both paths. Exits 1 when the main thread's gzip size is over {@link GZIP_BUDGET_BYTES}, unless
 * `--report-only`. `--keep` keeps the temp folder; `--modules` lists each chunk's modules.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, version as viteVersion } from 'vite';
import { installConsumer, kB, pack, table, tempFolder } from './lib';

/**
 * The budget: gzip bytes of the JS the main thread loads for the consumer entry (the entry and
 * its shared chunks; 1 kB = 1000 bytes).
 */
export const GZIP_BUDGET_BYTES = 12_000;

const reportOnly = process.argv.includes('--report-only');
const keep = process.argv.includes('--keep');
/** `--modules`: list each chunk's modules with their minified (rendered) sizes. */
const listModules = process.argv.includes('--modules');

const entryCode = "export { ProgressiveImage, usePartialImages } from 'react-partial-images';\n";

const isReact = (id: string) => /^react(?:-dom)?(?:\/|$)/.test(id);
const isZod = (id: string) => /^zod(?:\/|$)/.test(id);

/** One emitted JS file. */
interface Emitted {
  fileName: string;
  kind: 'entry' | 'shared chunk' | 'lazy chunk' | 'worker';
  min: number;
  gzip: number;
}

const gzipSize = (code: string | Uint8Array) => gzipSync(code, { level: 9 }).byteLength;
const byteSize = (code: string | Uint8Array) =>
  typeof code === 'string' ? Buffer.byteLength(code) : code.byteLength;

/** Bundles the consumer entry; lists the JS files emitted. */
async function bundle(root: string, zodExternal: boolean): Promise<Emitted[]> {
  const result = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      minify: true,
      // No preload helper or polyfill: only what the library brings.
      modulePreload: false,
      reportCompressedSize: false,
      rolldownOptions: {
        input: join(root, 'entry.js'),
        // An app build drops unused exports of its entry; keep the two we import.
        preserveEntrySignatures: 'strict',
        external: (id) => isReact(id) || (zodExternal && isZod(id)),
      },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) =>
    'output' in r ? r.output : [],
  );
  const emitted: Emitted[] = [];
  for (const file of outputs) {
    if (file.type === 'chunk') {
      const kind = file.isEntry ? 'entry' : file.isDynamicEntry ? 'lazy chunk' : 'shared chunk';
      if (listModules && !zodExternal) {
        console.log(`   ${file.fileName} (${kind}):`);
        for (const [id, module] of Object.entries(file.modules).sort(
          (a, b) => b[1].renderedLength - a[1].renderedLength,
        )) {
          if (module.renderedLength > 0)
            console.log(
              `     ${kB(module.renderedLength).padStart(9)}  ${id.replace(/^.*node_modules\//, '')}`,
            );
        }
      }
      emitted.push({
        fileName: file.fileName,
        kind,
        min: byteSize(file.code),
        gzip: gzipSize(file.code),
      });
    } else if (/\.m?js$/.test(file.fileName)) {
      // Vite emits a bundled worker (and its chunks) as an asset.
      emitted.push({
        fileName: file.fileName,
        kind: 'worker',
        min: byteSize(file.source),
        gzip: gzipSize(file.source),
      });
    } else if (!file.fileName.endsWith('.map')) {
      console.log(`   (not JS, not counted: ${file.fileName}, ${kB(byteSize(file.source))})`);
    }
  }
  return emitted;
}

const sum = (files: readonly Emitted[], key: 'min' | 'gzip') =>
  files.reduce((total, file) => total + file[key], 0);

async function main() {
  const temp = await tempFolder('rpi-size-', keep);
  let over = false;
  try {
    const packed = await pack(temp.path);
    const consumer = join(temp.path, 'consumer');
    await installConsumer(consumer, packed.tarball, []);
    await writeFile(join(consumer, 'entry.js'), entryCode);

    const files = await bundle(consumer, false);
    const withoutZod = await bundle(consumer, true);
    const total = { min: sum(files, 'min'), gzip: sum(files, 'gzip') };
    const zod = {
      min: total.min - sum(withoutZod, 'min'),
      gzip: total.gzip - sum(withoutZod, 'gzip'),
    };

    console.log(`\n-- size: ${entryCode.trim()}`);
    console.log(
      `   Vite ${viteVersion} app build, minified; react, react-dom, react/jsx-runtime external; ` +
        'zod bundled; gzip level 9; 1 kB = 1000 bytes',
    );
    const rows = [
      ['file', 'kind', 'minified', 'gzip'],
      ...files.map((file) => [file.fileName, file.kind, kB(file.min), kB(file.gzip)]),
      [
        'total',
        `${files.length} JS file${files.length === 1 ? '' : 's'}`,
        kB(total.min),
        kB(total.gzip),
      ],
    ];
    console.log(
      table(rows)
        .split('\n')
        .map((line) => `   ${line}`)
        .join('\n'),
    );
    const gzipOf = (kinds: readonly Emitted['kind'][]) =>
      sum(
        files.filter((file) => kinds.includes(file.kind)),
        'gzip',
      );
    const main = gzipOf(['entry', 'shared chunk']);
    console.log(
      `   main thread (entry + shared chunks): ${kB(main)} gzip; with the Worker's file (the ` +
        `default path): ${kB(main + gzipOf(['worker']))}; with the lazy in-page parser instead ` +
        `(no Worker): ${kB(main + gzipOf(['lazy chunk']))}`,
    );
    const share = (part: number, whole: number) => `${Math.round((part / whole) * 100)}%`;
    console.log(
      `   of which zod (the difference with zod external): ${kB(zod.min)} minified ` +
        `(${share(zod.min, total.min)}), ${kB(zod.gzip)} gzip (${share(zod.gzip, total.gzip)})`,
    );
    over = main > GZIP_BUDGET_BYTES;
    console.log(
      `   budget ${kB(GZIP_BUDGET_BYTES)} gzip on the main thread: ${
        over
          ? `OVER by ${kB(main - GZIP_BUDGET_BYTES)}`
          : `ok, ${kB(GZIP_BUDGET_BYTES - main)} left`
      }${over && reportOnly ? ' (--report-only: not failing)' : ''}`,
    );
  } finally {
    await temp.dispose();
  }
  process.exitCode = over && !reportOnly ? 1 : 0;
}

await main();
