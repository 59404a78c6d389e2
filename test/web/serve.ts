import { spawnSync, type ChildProcess } from 'node:child_process';
import { statSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startMetre } from '../support/metre-process.js';

const root = join(import.meta.dirname, '..', '..');

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Builds the dashboard from the current sources into `outDir` (Vite, about a second), so the
 * tests never serve a stale or half-written dist/web. Returns the build's output.
 */
export function buildWeb(outDir: string): string {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(root, 'src', 'web', 'vite.config.ts'), '--outDir', outDir],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0)
    throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The newest modification time under a folder. */
export function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** A running `metre serve` and how to reach and stop it. */
export interface Served {
  readonly url: string;
  readonly process: ChildProcess;
  /** What the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `metre serve` (embedded: store, queue, workers, scheduler, API and dashboard in one
 * process) as a separate process on an empty store, and waits until it answers.
 */
export async function startServe(env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const child = startMetre(['serve'], {
    METRE_API_HOST: '127.0.0.1',
    METRE_API_PORT: String(port),
    METRE_API_RATE_LIMIT: '0',
    METRE_ALLOW_LOCAL: '1',
    ...env,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const served: Served = {
    url,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`metre serve exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return served;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await served.stop();
  throw new Error(`metre serve did not answer within 60 s:\n${output}`);
}

/** GETs JSON from the API, failing on any error status. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
