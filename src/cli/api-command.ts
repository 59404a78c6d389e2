import { Option, type Command } from 'commander';
import { MetreError } from '../errors/index.js';
import type { CliDeps } from './commands.js';

/** The flags of `metre api`. */
export interface ApiOptions {
  readonly port?: string;
  readonly store?: string;
  readonly queue?: string;
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) {
    throw new MetreError('METRE_USAGE', `--port must be a port number (0-65535), not "${value}"`);
  }
  return n;
}

/**
 * `metre api --port P [--store URL] [--queue URL]`: the REST API (and the dashboard's files)
 * alone, for the distributed shape; with the in-process queue it also runs the jobs it queues.
 */
export function apiCommand(deps: CliDeps, options: ApiOptions): Promise<void> {
  const config = deps.loadConfig({
    store: options.store,
    queue: options.queue,
    apiPort: port(options.port),
  });
  return deps.roles.api(config);
}

/** Adds `metre api` to the program. */
export function addApiCommand(program: Command, deps: CliDeps): void {
  program
    .command('api')
    .description('serve the REST API and the dashboard (N stateless processes behind any balancer)')
    .option(
      '--port <port>',
      'the port to listen on; 0 picks a free one (default: METRE_API_PORT, 8080)',
    )
    .addOption(new Option('--store <url>', 'store URL, e.g. postgres://… (default: METRE_STORE)'))
    .addOption(
      new Option(
        '--queue <url>',
        'queue URL: in-process, or redis://host:port[/db][?prefix=name] (default: METRE_QUEUE)',
      ),
    )
    .action((options: ApiOptions) => apiCommand(deps, options));
}
