/**
 * The `prepare` script. npm runs `prepack` (the build) for `npm pack` and `npm publish`, but not
 * when it packs this repo as someone's dependency: a git install (`npm install github:…`) or a
 * folder installed with `--install-links`. There it runs `prepare` only, after installing the
 * devDependencies, and would ship no `dist/`. So build here in that case: npm then sets
 * `npm_package_resolved` (the folder being packed), which a plain `npm install` / `npm ci` in
 * the repo does not, so developers' installs stay build-free; `npm pack` itself has just built.
 */

import { spawnSync } from 'node:child_process';

const { npm_package_resolved: resolved, npm_command: command } = process.env;
if (resolved && command !== 'pack' && command !== 'publish') {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { status } = spawnSync(npm, ['run', 'build'], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  process.exit(status ?? 1);
}
