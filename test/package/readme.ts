/**
 * `npm run check:readme` (in `npm run check` and CI): every TypeScript example in README.md
 * type-checks against the source, with the packages it names as they are installed here.
 *
 * Each ```ts / ```tsx block that has an `import` is a module of its own; the package's entries
 * resolve to `src/`. Blocks without an import are excerpts (a type's shape, one line of a call)
 * and are left out; so is a block that imports a package this repo does not install (Express),
 * which is named in the output. Exits 1 on any type error.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'node_modules/.cache/react-partial-images/readme');
const require = createRequire(path.join(root, 'package.json'));

const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```(tsx?)\n([\s\S]*?)^```/gm)].map((match) => ({
  lang: match[1] as string,
  code: match[2] as string,
  line: readme.slice(0, match.index).split('\n').length,
}));

/** Can `specifier` be resolved from the repo (its own entries always can)? */
function installed(specifier: string): boolean {
  if (specifier.startsWith('react-partial-images') || specifier.startsWith('.')) return true;
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] as string);
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    try {
      require.resolve(name);
      return true;
    } catch {
      return false;
    }
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const checked: string[] = [];
for (const [n, block] of blocks.entries()) {
  const imports = [...block.code.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  if (imports.length === 0) continue;
  const missing = imports.filter((specifier) => !installed(specifier as string));
  if (missing.length > 0) {
    console.log(`README.md:${block.line}: skipped (not installed here: ${missing.join(', ')})`);
    continue;
  }
  const file = `readme-${String(n).padStart(2, '0')}-line-${block.line}.${block.lang}`;
  writeFileSync(path.join(out, file), block.code);
  checked.push(file);
}
const src = (entry: string) => path.join(root, 'src', entry);
writeFileSync(
  path.join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: path.join(root, 'tsconfig.json'),
      compilerOptions: {
        noEmit: true,
        noUnusedLocals: false,
        noUnusedParameters: false,
        moduleDetection: 'force',
        paths: {
          'react-partial-images': [src('index.ts')],
          'react-partial-images/core': [src('core/index.ts')],
          'react-partial-images/server': [src('server/index.ts')],
        },
      },
      include: ['*.ts', '*.tsx'],
      exclude: [],
    },
    null,
    2,
  ),
);
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', out], {
    stdio: 'pipe',
  });
  console.log(`README: ${checked.length} examples type-check`);
} catch (error) {
  const output = String((error as { stdout?: Buffer }).stdout ?? error);
  // Name the README line, not the temp file.
  console.error(output.replace(/\S*readme-\d+-line-(\d+)\.tsx?\((\d+),/g, 'README.md:$1 (+$2,'));
  console.error(`README: type errors in its examples (${checked.length} checked)`);
  process.exit(1);
}
