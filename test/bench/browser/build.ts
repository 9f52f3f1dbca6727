/**
 * Builds the bench pages with vite (so that a `new Worker(new URL(…, import.meta.url))` in the
 * library or a page is bundled as it would be in an app) and serves them, with the stream data,
 * on 127.0.0.1.
 *
 * The library's code is put in its own chunk, `assets/library.js` (React in `assets/react.js`),
 * and the build is not minified, so that CPU samples in a trace can be attributed by script URL
 * and read by function name.
 */

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { LIBRARY_SRC, ROOT } from '../shared/env';

const PAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
const OUT = path.join(ROOT, 'node_modules/.cache/react-partial-images/bench-pages');
const SRC = `${LIBRARY_SRC}${path.sep}`;

/** The page names (each `pages/<name>.html`). */
export const PAGE_NAMES = ['throughput', 'frame', 'many', 'memory'] as const;

/** Which chunk a script URL of the built pages belongs to. */
export function chunkOf(url: string): 'library' | 'react' | 'page' | 'other' {
  if (!url) return 'other';
  const file = url.slice(url.lastIndexOf('/') + 1);
  if (file.startsWith('library')) return 'library';
  if (file.startsWith('react')) return 'react';
  if (url.includes('/assets/')) return 'page';
  return 'other';
}

/** Builds every page into the cache folder. */
export async function buildPages(): Promise<void> {
  await build({
    configFile: false,
    root: PAGES,
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    resolve: {
      // The pages import the library as `../../../../src`: from BENCH_SRC when it is set.
      alias: [{ find: /^(?:\.\.\/)+src(\/.*)?$/, replacement: `${LIBRARY_SRC}$1` }],
      dedupe: ['react', 'react-dom', 'zod'],
    },
    build: {
      outDir: OUT,
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      reportCompressedSize: false,
      rolldownOptions: {
        input: Object.fromEntries(PAGE_NAMES.map((n) => [n, path.join(PAGES, `${n}.html`)])),
        output: {
          entryFileNames: 'assets/[name].js',
          chunkFileNames: 'assets/[name].js',
          codeSplitting: {
            groups: [
              // React first: the library's chunk would otherwise take React in with it.
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
              { name: 'library', test: (id: string) => id.startsWith(SRC) },
            ],
          },
        },
      },
    },
    worker: {
      format: 'es',
      rolldownOptions: { output: { entryFileNames: 'assets/worker-[name].js' } },
    },
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

/** A static server for the built pages, plus `/data/<name>.bin` from `data`. */
export async function serve(data: Map<string, Uint8Array>) {
  const server = http.createServer(async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const match = /^\/data\/(.+)\.bin$/.exec(pathname);
    if (match) {
      const bytes = data.get(match[1] as string);
      if (!bytes) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void response.end(bytes);
    }
    const file = path.join(OUT, pathname);
    if (!file.startsWith(OUT) || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    });
    response.end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (page: string) => `http://127.0.0.1:${port}/${page}.html`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
