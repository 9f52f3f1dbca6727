/// <reference types="vitest/config" />
import { posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import {
  defineConfig,
  type Plugin,
  parseSync,
  type ResolvedConfig,
  Visitor,
  build as viteBuild,
} from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const react18 = (name: string) => here(`test/react18/node_modules/${name}`);

/** Debian's Chromium (`apt-get install chromium`); no browser download is needed. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The package's entries: output name (under `dist/`, without extension) → source. Each one gets
 * `dist/<name>.js` and a bundled `dist/<name>.d.ts`; `package.json#exports` maps the subpaths.
 */
export const libraryEntries: Readonly<Record<string, string>> = {
  index: 'src/index.ts',
  'core/index': 'src/core/index.ts',
  'server/index': 'src/server/index.ts',
};

/** The entry whose JS starts with `'use client'` (the React bindings). */
const clientEntry = 'index';

/** Bare imports (dependencies, peers, `node:`) stay imports: the consumer's bundler resolves them. */
const isExternal = (id: string) =>
  !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

const entryPaths = () =>
  Object.fromEntries(Object.entries(libraryEntries).map(([name, path]) => [name, here(path)]));

/**
 * Plugins that run in the library build only (`vite build` with `build.lib`): neither in vitest
 * (`serve`) nor in Storybook's build, which keeps none of this config's `build`.
 */
const libraryBuildOnly: Plugin['apply'] = (config, env) =>
  env.command === 'build' && Boolean(config.build?.lib);

/**
 * Bundled declarations, one `.d.ts` per entry (plus shared chunks), by rollup-plugin-dts.
 * tsc's own per-file output keeps the sources' extensionless relative imports, which
 * `moduleResolution: node16`/`nodenext` cannot resolve; bundling leaves only imports between
 * our own chunks, which rollup-plugin-dts writes with `.js`. A type shared by two entries lives
 * in one chunk, so a class such as `PartialImagesError` is the same type from both.
 *
 * Named `…dts` so that `.storybook/main.ts`, which drops plugins named so, leaves it out.
 */
function bundledDeclarations(): Plugin {
  return {
    name: 'react-partial-images:dts',
    apply: libraryBuildOnly,
    async generateBundle() {
      const [{ rollup }, { dts }] = await Promise.all([
        import('rollup'),
        import('rollup-plugin-dts'),
      ]);
      const bundle = await rollup({
        input: entryPaths(),
        external: isExternal,
        plugins: [
          dts({ tsconfig: here('tsconfig.json'), compilerOptions: { declarationMap: false } }),
        ],
      });
      try {
        const { output } = await bundle.generate({
          format: 'es',
          entryFileNames: '[name].d.ts',
          chunkFileNames: '[name]-[hash].d.ts',
        });
        for (const file of output) {
          if (file.type === 'chunk')
            this.emitFile({ type: 'asset', fileName: file.fileName, source: file.code });
        }
      } finally {
        await bundle.close();
      }
    },
  };
}

/** A `new Worker(new URL('./x.js', import.meta.url))` found in a module. */
interface WorkerReference {
  /** The literal to write in the output, quotes included: `'./worker.js'`. */
  literal: string;
  /** The relative URL of the emitted file: `./worker.js` (also for a source's `./worker.ts`). */
  url: string;
  /** The worker's source module. */
  file: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A source-map VLQ. */
function vlq(n: number): string {
  let value = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    const digit = value & 31;
    value >>>= 5;
    out += BASE64[value ? digit | 32 : digit];
  } while (value);
  return out;
}

/**
 * A map of `code` onto itself, column by column, carrying `code` as the source's content (a
 * `null` map would let the next transform's map name our placeholder text as the source).
 */
function identityMap(code: string, source: string) {
  let mappings = '';
  let previousLine = 0;
  let previousColumn = 0;
  code.split('\n').forEach((text, line) => {
    if (line > 0) mappings += ';';
    for (let column = 0; column < text.length; column++) {
      if (column > 0) mappings += ',';
      mappings += `${vlq(column === 0 ? 0 : 1)}A${vlq(line - previousLine)}${vlq(column - previousColumn)}`;
      previousLine = line;
      previousColumn = column;
    }
  });
  return { version: 3, sources: [source], sourcesContent: [code], names: [], mappings };
}

/**
 * Module workers stay files of their own, next to the chunk that starts them, and the chunk keeps
 * the literal `new Worker(new URL('./worker.js', import.meta.url), …)`. A source that names the
 * TypeScript file (`'./worker.ts'`, as Vite's dev server wants it) gets `'./worker.js'`.
 *
 * Vite's own handling would inline the worker or rewrite the URL into an expression that the
 * consumer's bundler no longer recognises; kept literal, Vite, webpack 5 and Next.js (checked by
 * `npm run check:apps`) bundle the worker for the app. Each worker is bundled on its own (its imports inlined, bare ones left
 * external like the library's) and written at `dirname(chunk)/<url>`.
 *
 * While the build runs, the URL literal is swapped for a placeholder identifier of the same
 * length, so that Vite's worker and asset plugins leave it alone and source maps stay exact.
 */
function workerFiles(): Plugin {
  const references = new Map<string, WorkerReference>();
  const emitted = new Map<string, string>();
  let target: ResolvedConfig['build']['target'] = 'es2022';
  return {
    name: 'react-partial-images:worker-files',
    apply: libraryBuildOnly,
    enforce: 'pre',
    configResolved(config) {
      target = config.build.target;
    },
    transform: {
      filter: { id: /\.[cm]?[jt]sx?$/, code: /\bnew\s+(?:Shared)?Worker\b/ },
      async handler(code, id) {
        const found: { start: number; end: number; raw: string; url: string }[] = [];
        new Visitor({
          NewExpression(node) {
            const callee = node.callee;
            if (callee.type !== 'Identifier' || !/^(?:Shared)?Worker$/.test(callee.name)) return;
            const url = node.arguments[0];
            if (url?.type !== 'NewExpression' || url.callee.type !== 'Identifier') return;
            if (url.callee.name !== 'URL') return;
            const [literal, base] = url.arguments;
            if (literal?.type !== 'Literal' || typeof literal.value !== 'string') return;
            if (!literal.value.startsWith('./') && !literal.value.startsWith('../')) return;
            if (code.slice(base?.start ?? 0, base?.end ?? 0) !== 'import.meta.url') return;
            found.push({
              start: literal.start,
              end: literal.end,
              raw: code.slice(literal.start, literal.end),
              url: literal.value,
            });
          },
        }).visit(parseSync(id, code).program);
        if (found.length === 0) return null;
        let out = '';
        let last = 0;
        for (const site of found) {
          const resolved = await this.resolve(site.url, id);
          if (!resolved || resolved.external) {
            this.error(`worker ${site.url} (in ${id}) does not resolve to a source file`);
          }
          const key = `_w${references.size}`.padEnd(site.raw.length, '_');
          if (key.length > site.raw.length) this.error(`worker URL ${site.raw} is too short`);
          const url = site.url.replace(/\.([cm]?)tsx?$/, '.$1js');
          const quote = site.raw[0] ?? "'";
          references.set(key, { literal: `${quote}${url}${quote}`, url, file: resolved.id });
          out += code.slice(last, site.start) + key;
          last = site.end;
        }
        // Same length in, same length out: an identity map is exact, and keeps the original text.
        return { code: out + code.slice(last), map: identityMap(code, id) };
      },
    },
    renderChunk(code, chunk) {
      let out = code;
      for (const [key, reference] of references) {
        if (!out.includes(key)) continue;
        out = out.split(key).join(reference.literal);
        const fileName = posix.normalize(posix.join(posix.dirname(chunk.fileName), reference.url));
        const other = emitted.get(fileName);
        if (other !== undefined && other !== reference.file) {
          this.error(`two workers would be written to ${fileName}: ${other} and ${reference.file}`);
        }
        emitted.set(fileName, reference.file);
      }
      // `.ts` → `.js` keeps the length too; only a `.tsx` URL shifts the rest of its line.
      return out === code ? null : { code: out, map: null };
    },
    async generateBundle(options) {
      const outDir = options.dir ?? here('dist');
      for (const [fileName, file] of emitted) {
        const result = await viteBuild({
          configFile: false,
          logLevel: 'warn',
          build: {
            write: false,
            // For the source map's paths: the file's final folder.
            outDir: resolve(outDir, posix.dirname(fileName)),
            sourcemap: true,
            minify: false,
            target,
            lib: { entry: file, formats: ['es'], fileName: () => posix.basename(fileName) },
            rolldownOptions: { external: isExternal, output: { codeSplitting: false } },
          },
        });
        const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) =>
          'output' in r ? r.output : [],
        );
        for (const out of outputs) {
          const name = posix.join(posix.dirname(fileName), out.fileName);
          const source = out.type === 'chunk' ? out.code : out.source;
          this.emitFile({ type: 'asset', fileName: name, source });
        }
      }
    },
  };
}

/** The library build: ESM entries, every dependency external, `'use client'` on React's. */
export default defineConfig({
  plugins: [react(), workerFiles(), bundledDeclarations()],
  build: {
    sourcemap: true,
    minify: false,
    target: 'es2022',
    lib: {
      entry: entryPaths(),
      formats: ['es'],
    },
    rolldownOptions: {
      external: isExternal,
      output: {
        // One file per source module, as the sources are laid out: an app's bundler then splits
        // and tree-shakes the library module by module (the parsing code, needed by the Worker
        // and by the lazy in-page fallback, stays out of the main thread's chunk).
        preserveModules: true,
        preserveModulesRoot: 'src',
        // The client entry (a shared chunk may also be named `index`) and the React modules.
        // The React modules too: each file is a module of its own, and a bundler may meet one
        // through another path than the entry.
        banner: (chunk) =>
          (chunk.isEntry && chunk.name === clientEntry) || chunk.name.startsWith('react/')
            ? "'use client';"
            : '',
      },
    },
  },
  test: {
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'core',
          environment: 'node',
          include: [
            'test/core/**/*.test.ts',
            'test/server/**/*.test.ts',
            'test/support/**/*.test.ts',
            'test/*.test.ts',
          ],
        },
      },
      {
        // The demo's own code (stories/replay, the shared fixtures' layout), in Node.
        extends: true,
        test: {
          name: 'demo',
          environment: 'node',
          include: ['test/demo/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'react',
          environment: 'jsdom',
          provide: { reactMajor: 19 },
          include: ['test/react/**/*.test.tsx'],
          // React 19's development build keeps each element's owner stack (`_debugStack`), and
          // with it the props of the render that made it: previews stay reachable in development
          // only. What follows the final images is tested against React 18 (no owner stacks)
          // here, and measured on React 19's production build by `npm run bench` (memory).
          exclude: ['test/react/memory.test.tsx'],
          setupFiles: ['test/setup.ts'],
        },
      },
      {
        // The same React tests against React 18, installed by the test/react18 workspace.
        extends: true,
        resolve: {
          alias: [
            { find: /^react(\/.*)?$/, replacement: `${react18('react')}$1` },
            { find: /^react-dom(\/.*)?$/, replacement: `${react18('react-dom')}$1` },
            // Its ESM build, processed by Vite (inlined below) so that its React imports are
            // aliased too; Node would load the CommonJS build with the root's React 19.
            {
              find: /^@testing-library\/react$/,
              replacement: here(
                'node_modules/@testing-library/react/dist/@testing-library/react.esm.js',
              ),
            },
          ],
        },
        test: {
          name: 'react18',
          environment: 'jsdom',
          provide: { reactMajor: 18 },
          include: ['test/react/**/*.test.tsx'],
          setupFiles: ['test/setup.ts'],
          server: { deps: { inline: [/@testing-library\/react/] } },
        },
      },
      {
        // The demo end to end: builds the stories and drives them in Chromium with Playwright.
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
            viewport: { width: 1000, height: 800 },
          },
        },
      },
    ],
  },
});
