/**
 * The layout of the repo and the shared fixtures: no import circle anywhere in src/, stories/,
 * test/ and .storybook/, and one direction only between them: stories import test/fixtures (the
 * one home of frames, PRNG, event builder and SSE framer), never the other way round.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'recorded', '__screenshots__']);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...sources(file));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(file);
  }
  return out;
}

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    if (/\.tsx?$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Every file's relative imports (static, type-only, re-exports and dynamic), resolved. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    // TypeScript's own scanner: imports in comments and strings do not count.
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((ref) => resolve(file, ref.fileName))
      .filter((target): target is string => target !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The import circles: strongly connected components of more than one file, or a self-import. */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    order.set(file, index);
    low.set(file, index++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) as number, order.get(next) as number));
      }
    }
    if (low.get(file) === order.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || graph.get(file)?.includes(file)) found.push(component);
    }
  };
  for (const file of graph.keys()) if (!order.has(file)) visit(file);
  return found.map((component) => component.map((f) => path.relative(root, f)).sort());
}

const files = ['src', 'stories', 'test', '.storybook'].flatMap((dir) =>
  sources(path.join(root, dir)),
);
const graph = importGraph(files);
const relative = (file: string) => path.relative(root, file).split(path.sep).join('/');

describe('imports of src/, stories/, test/ and .storybook/', () => {
  it('finds the files and their imports', () => {
    expect(files.length).toBeGreaterThan(30);
    const replay = [...graph].find(([file]) => relative(file) === 'stories/replay/replay.ts');
    expect(replay?.[1].map(relative)).toContain('test/fixtures/realistic/index.ts');
  });

  it('has no import circle (type-only imports included)', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('the circle finder does find one', () => {
    const a = path.join(root, 'a.ts');
    const b = path.join(root, 'b.ts');
    const c = path.join(root, 'c.ts');
    expect(
      circles(
        new Map([
          [a, [b]],
          [b, [c]],
          [c, [a]],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('test/fixtures never imports stories/ or .storybook/: the dependency is one-way', () => {
    const back = [...graph]
      .filter(([file]) => relative(file).startsWith('test/fixtures/'))
      .flatMap(([file, targets]) =>
        targets
          .filter((t) => /^(stories|\.storybook)\//.test(relative(t)))
          .map((t) => `${relative(file)} → ${relative(t)}`),
      );
    expect(back).toEqual([]);
  });

  it('stories load the frames from test/fixtures/frames only', () => {
    const json = files
      .filter((file) => /^(stories|\.storybook)\//.test(relative(file)))
      .filter((file) => readFileSync(file, 'utf8').includes('frames.json'));
    expect(json.map(relative)).toEqual([]);
  });
});
