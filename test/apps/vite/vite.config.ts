import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));
// The dev server proxies `/api` to the check's relay; the build is served next to it.
const api = process.env.RPI_API_ORIGIN;

export default defineConfig({
  plugins: [react()],
  server: api ? { proxy: { '/api': api } } : {},
  build: {
    rolldownOptions: { input: { main: page('index.html'), decode: page('decode.html') } },
  },
});
