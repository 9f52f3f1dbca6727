/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import dts from 'vite-plugin-dts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

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
          include: ['test/core/**/*.test.ts', 'test/server/**/*.test.ts', 'test/*.test.ts'],
        },
      },
    ],
  },
});
