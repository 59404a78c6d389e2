import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const entry = ['--import', 'tsx', join(root, 'src', 'boot', 'bin.ts')];

/** The environment a metre child process gets: nothing of the caller's but PATH and HOME. */
export function metreEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, METRE_LOG_LEVEL: 'error', ...env };
}

/** Runs the metre CLI from source as a separate process and waits for it. */
export function runMetre(args: readonly string[], env: Record<string, string> = {}, cwd = root) {
  const result = spawnSync(process.execPath, [...entry, ...args], {
    cwd,
    env: metreEnv(env),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the metre CLI from source as a separate process, without waiting. */
export function startMetre(
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, [...entry, ...args], {
    cwd: root,
    env: metreEnv(env),
    stdio: 'pipe',
  });
}
