import { fileURLToPath } from 'node:url';

// Next takes the folder of the topmost lock file above the app for the workspace root: pin it to
// the app, so that a lock file further up (the repo's, were it built in the repo) is never it.
const here = fileURLToPath(new URL('.', import.meta.url));

/** @type {import('next').NextConfig} */
const config = {
  outputFileTracingRoot: here,
  turbopack: { root: here },
  poweredByHeader: false,
};

export default config;
