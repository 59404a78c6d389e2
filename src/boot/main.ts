import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../cli/index.js';
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
  });
}
