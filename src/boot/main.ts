import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type RoleRunners } from '../cli/index.js';
import { loadConfig } from '../config/index.js';

/** The folder metre is installed in (two levels above this file, in src/ or dist/). */
const ownRepository = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs metre's CLI in this process and returns the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, {
    loadConfig: (overrides) => loadConfig(process.env, overrides),
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stderr.isTTY === true,
    ownRepository,
    roles,
  });
}

/** The long-running roles, loaded only when one runs (pino and the role wiring stay out of the rest). */
const roles: RoleRunners = {
  serve: async (config) => (await roleRunners()).serve(config),
  worker: async (config) => (await roleRunners()).worker(config),
  scheduler: async (config) => (await roleRunners()).scheduler(config),
  api: async (config) => (await roleRunners()).api(config),
};

async function roleRunners(): Promise<RoleRunners> {
  const { createRoleRunners } = await import('./roles.js');
  const { httpStarter } = await import('./http.js');
  const startHttp = httpStarter({ ownRepository });
  const io = { cwd: process.cwd(), stderr: process.stderr, ownRepository, startHttp };
  return createRoleRunners(io);
}
