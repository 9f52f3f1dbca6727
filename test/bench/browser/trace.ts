/**
 * Reading a Chrome trace (CDP `Tracing`, via Playwright's `browser.startTracing`): the page's
 * main thread (the one that made the `bench:t0` user-timing mark), its top-level tasks between
 * `bench:t0` and `bench:end`, and the V8 CPU samples the trace carries
 * (`disabled-by-default-v8.cpu_profiler`), to say what code ran in a given task.
 */

import type { Browser, Page } from 'playwright';
import { chunkOf } from './build';

/** The categories every traced run records. */
export const TRACE_CATEGORIES = [
  'toplevel',
  'blink.user_timing',
  'devtools.timeline',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
];

/** Runs `fn` with `page` traced; the trace is stopped even when `fn` throws. */
export async function traced<T>(
  browser: Browser,
  page: Page,
  fn: () => Promise<T>,
): Promise<{ value: T; trace: Buffer }> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let value: T;
  try {
    value = await fn();
  } catch (error) {
    await browser.stopTracing();
    throw error;
  }
  return { value, trace: await browser.stopTracing() };
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  id?: string;
  args?: { data?: Record<string, unknown>; name?: string };
}

interface CallFrame {
  functionName: string;
  url?: string;
  scriptId?: number;
  codeType?: string;
}

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: CallFrame;
}

/** A top-level task of the main thread, in ms from `bench:t0`. */
export interface Task {
  readonly start: number;
  readonly end: number;
}

/** What ran during one task, from the CPU samples in it. */
export interface Attribution {
  /** Samples in the task. */
  readonly samples: number;
  /**
   * Share of the samples by the innermost chunk of the built page on the stack: `library`
   * (src/ and its zod), `react`, `page` (bench page code), else the leaf's kind: `(program)`
   * (native work outside JS, e.g. image decoding, style, layout), `(garbage collector)`, `other`.
   */
  readonly by: Record<string, number>;
  /** Any library frame on the stack, innermost or not: the share of samples. */
  readonly libraryOnStack: number;
  /** The functions with the most self samples: `name [chunk]` and their share. */
  readonly top: readonly { readonly fn: string; readonly share: number }[];
}

/** One run's trace, summarised. */
export interface TraceSummary {
  /** ms between the marks. */
  readonly windowMs: number;
  /** Busy ms of the main thread in the window (top-level tasks, overlaps merged). */
  readonly busyMs: number;
  readonly tasks: number;
  /**
   * The longest top-level task in the window and what ran in it: by CPU samples, and by the
   * trace events inside it (inclusive ms by name; a script call named by its function and chunk).
   */
  readonly longest: {
    readonly start: number;
    readonly ms: number;
    readonly what: Attribution;
    readonly events: readonly { readonly name: string; readonly ms: number }[];
  } | null;
  /** What ran over the whole window (all main-thread samples in it). */
  readonly overall: Attribution;
  /** The trace events of the whole window: inclusive ms by name (nested events overlap). */
  readonly overallEvents: { name: string; ms: number }[];
}

function eventsOf(trace: Buffer): TraceEvent[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

const TASK_NAMES = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);

/** Summarises a trace of one run. */
export function summarizeTrace(trace: Buffer): TraceSummary {
  const events = eventsOf(trace);
  const t0 = events.find((e) => e.name === 'bench:t0');
  const end = events.find((e) => e.name === 'bench:end' && e.pid === t0?.pid);
  if (!t0 || !end) throw new Error('the trace has no bench:t0 / bench:end marks');
  const { pid, tid } = t0;
  const ms = (ts: number) => (ts - t0.ts) / 1000;
  const windowMs = ms(end.ts);

  // Top-level tasks, clipped to the window, overlaps (nested RunTask) merged.
  const spans = events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && TASK_NAMES.has(e.name))
    .map((e) => [ms(e.ts), ms(e.ts + (e.dur ?? 0))] as const)
    .filter(([s, e]) => e > 0 && s < windowMs)
    .map(([s, e]) => [Math.max(0, s), Math.min(windowMs, e)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const busyMs = merged.reduce((sum, [s, e]) => sum + (e - s), 0);

  const samples = mainThreadSamples(events, pid, tid).map((s) => ({ ...s, t: ms(s.ts) }));
  const attribute = (from: number, to: number) =>
    attributeSamples(samples.filter((s) => s.t >= from && s.t <= to));
  let worst: [number, number] | null = null;
  for (const span of merged) if (!worst || span[1] - span[0] > worst[1] - worst[0]) worst = span;
  const longest: TraceSummary['longest'] = worst
    ? {
        start: worst[0],
        ms: worst[1] - worst[0],
        what: attribute(worst[0], worst[1]),
        events: eventsIn(events, pid, tid, t0.ts + worst[0] * 1000, t0.ts + worst[1] * 1000),
      }
    : null;
  return {
    windowMs,
    busyMs,
    tasks: merged.length,
    longest,
    overall: attribute(0, windowMs),
    overallEvents: eventsIn(events, pid, tid, t0.ts, end.ts, 12),
  };
}

/** Trace events inside a task: inclusive ms by name, script calls named by function and chunk. */
function eventsIn(
  events: TraceEvent[],
  pid: number,
  tid: number,
  from: number,
  to: number,
  top = 6,
) {
  const byName = new Map<string, number>();
  for (const e of events) {
    if (e.pid !== pid || e.tid !== tid || e.ph !== 'X' || TASK_NAMES.has(e.name)) continue;
    if (e.ts < from || e.ts + (e.dur ?? 0) > to + 1) continue;
    const data = e.args?.data as { url?: string; functionName?: string } | undefined;
    const name = data?.url
      ? `${e.name} ${data.functionName || '(anonymous)'} [${chunkOf(data.url)}]`
      : e.name;
    byName.set(name, (byName.get(name) ?? 0) + (e.dur ?? 0) / 1000);
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms }));
}

interface Sample {
  ts: number;
  stack: CallFrame[];
}

/** The main thread's CPU samples, each with its stack (innermost first). */
function mainThreadSamples(events: TraceEvent[], pid: number, tid: number): Sample[] {
  const profile = events.find(
    (e) => e.name === 'Profile' && e.pid === pid && e.tid === tid && e.ph === 'P',
  );
  if (!profile) return [];
  // Script URLs, when the profile nodes only carry a script id.
  const urls = new Map<number, string>();
  for (const e of events) {
    const data = e.args?.data as { url?: string; scriptId?: number | string } | undefined;
    if (e.pid === pid && data?.url && data.scriptId !== undefined) {
      urls.set(Number(data.scriptId), data.url);
    }
  }
  const nodes = new Map<number, ProfileNode>();
  const out: Sample[] = [];
  let ts = Number((profile.args?.data as { startTime?: number } | undefined)?.startTime ?? 0);
  const chunks = events.filter(
    (e) => e.name === 'ProfileChunk' && e.pid === pid && e.id === profile.id,
  );
  for (const chunk of chunks) {
    const data = chunk.args?.data as
      | {
          cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] };
          timeDeltas?: number[];
        }
      | undefined;
    for (const node of data?.cpuProfile?.nodes ?? []) {
      const url = node.callFrame.url || urls.get(Number(node.callFrame.scriptId)) || '';
      nodes.set(node.id, { ...node, callFrame: { ...node.callFrame, url } });
    }
    const ids = data?.cpuProfile?.samples ?? [];
    const deltas = data?.timeDeltas ?? [];
    for (let i = 0; i < ids.length; i++) {
      ts += deltas[i] ?? 0;
      const stack: CallFrame[] = [];
      for (let node = nodes.get(ids[i] as number); node; ) {
        stack.push(node.callFrame);
        node = node.parent === undefined ? undefined : nodes.get(node.parent);
      }
      out.push({ ts, stack });
    }
  }
  return out;
}

function attributeSamples(samples: readonly Sample[]): Attribution {
  const by: Record<string, number> = {};
  const self = new Map<string, number>();
  let libraryOnStack = 0;
  for (const { stack } of samples) {
    const leaf = stack[0];
    if (!leaf || leaf.functionName === '(idle)' || leaf.functionName === '(root)') continue;
    const chunks = stack.map((frame) => chunkOf(frame.url ?? ''));
    const inner = chunks.find((c) => c !== 'other');
    const kind =
      inner ??
      (leaf.functionName === '(program)' || leaf.functionName === '(garbage collector)'
        ? leaf.functionName
        : 'other');
    by[kind] = (by[kind] ?? 0) + 1;
    if (chunks.includes('library')) libraryOnStack++;
    // A native leaf (JSON.parse, atob) is named with the JS function that called it.
    const caller = stack.find((frame) => frame.url);
    const leafName = leaf.functionName || '(anonymous)';
    const name = leaf.url
      ? `${leafName} [${chunkOf(leaf.url)}]`
      : caller && caller !== leaf
        ? `${leafName} <- ${caller.functionName || '(anonymous)'} [${chunkOf(caller.url ?? '')}]`
        : leafName;
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const total = Object.values(by).reduce((a, b) => a + b, 0);
  const share = (n: number) => (total ? n / total : 0);
  return {
    samples: total,
    by: Object.fromEntries(Object.entries(by).map(([k, n]) => [k, share(n)])),
    libraryOnStack: share(libraryOnStack),
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([fn, n]) => ({ fn, share: share(n) })),
  };
}

/** `library 40%, (program) 35%, …` */
export function describeAttribution(what: Attribution): string {
  return Object.entries(what.by)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
    .join(', ');
}
