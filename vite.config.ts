/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vite';
import dts from 'vite-plugin-dts';

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

/** The library build: three ESM entries, every dependency external, `'use client'` on React's. */
export default defineConfig({
  plugins: [
    react(),
    dts({
      include: ['src'],
      tsconfigPath: './tsconfig.json',
      entryRoot: 'src',
    }),
  ],
  build: {
    sourcemap: true,
    minify: false,
    target: 'es2022',
    lib: {
      entry: {
        index: here('src/index.ts'),
        'core/index': here('src/core/index.ts'),
        'server/index': here('src/server/index.ts'),
      },
      formats: ['es'],
    },
    rolldownOptions: {
      external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
      output: {
        banner: (chunk) => (chunk.name === 'index' ? "'use client';" : ''),
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
            'test/demo/**/*.test.ts',
            'test/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'react',
          environment: 'jsdom',
          provide: { reactMajor: 19 },
          include: ['test/react/**/*.test.tsx'],
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
