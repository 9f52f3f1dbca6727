/**
 * Child processes of the apps check: commands run to their end (builds, installs), and servers
 * kept running until the check stops them. Every server is started in its own process group and
 * stopped with it, so that nothing it spawned (Next's workers, esbuild) outlives the check.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

/** How a finished command ended. */
export interface CommandResult {
  code: number;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  ms: number;
}

/** Runs a command to its end (no shell); throws with its output when it fails. */
export async function command(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  const started = performance.now();
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  const ms = performance.now() - started;
  if (code !== 0) {
    throw new Error(`${file} ${args.join(' ')} (in ${options.cwd}) exited with ${code}\n${output}`);
  }
  return { code, output, ms };
}

/** A running server process. */
export interface ServerProcess {
  /** What it printed so far. */
  readonly output: () => string;
  /** Stops it and everything it started. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops every server still running (on a failure, or when the check is interrupted). */
export function stopAll() {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
}

process.once('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}

/** Starts a long-running command in its own process group. */
export function startServer(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): ServerProcess {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('close', () => running.delete(child));
  return {
    output: () => output,
    async stop() {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      // Anything the group's leader left behind.
      killGroup(child, 'SIGKILL');
      running.delete(child);
    },
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until `url` answers (any status), or throws after `timeoutMs` with the server's output. */
export async function waitForUrl(
  url: string,
  server: ServerProcess,
  timeoutMs = 60_000,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await response.body?.cancel();
      return performance.now() - started;
    } catch {
      if (performance.now() - started > timeoutMs) {
        throw new Error(`${url} did not answer within ${timeoutMs} ms\n${server.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
