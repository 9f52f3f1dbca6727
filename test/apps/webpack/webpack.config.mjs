import { fileURLToPath } from 'node:url';

// A plain webpack 5 build, with no configuration for the library: its Worker
// (`new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`) must be found and
// emitted by webpack itself.
export default {
  mode: 'production',
  entry: './src/index.js',
  output: {
    path: fileURLToPath(new URL('./dist/', import.meta.url)),
    clean: true,
  },
  devtool: false,
  performance: { hints: false },
};
