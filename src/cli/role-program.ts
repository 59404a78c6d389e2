import { Option, type Command } from 'commander';
import type { AddOptions } from './add-command.js';
import type { CliDeps } from './commands.js';
import type { JobsOptions } from './jobs-command.js';
import {
  schedulerCommand,
  serveCommand,
  workerCommand,
  type RoleOptions,
} from './role-commands.js';

const storeOption = () =>
  new Option('--store <url>', 'store URL, e.g. postgres://… (default: METRE_STORE)');
const queueOption = () =>
  new Option(
    '--queue <url>',
    'queue URL: in-process, or redis://host:port[/db][?prefix=name] (default: METRE_QUEUE)',
  );
const concurrencyOption = () =>
  new Option('--concurrency <n>', 'jobs of each kind run at once (default: 1)');

/**
 * The commands of the distributed shape: `serve`, `worker`, `scheduler` (long-running roles), and
 * `add`, `jobs` (short ones).
 */
export function addRoleCommands(program: Command, deps: CliDeps): void {
  program
    .command('serve')
    .description(
      'everything in one process: workers, scheduler and the API (what `npm start` runs)',
    )
    .addOption(storeOption())
    .addOption(queueOption())
    .addOption(concurrencyOption())
    .action((options: RoleOptions) => serveCommand(deps, options));

  program
    .command('worker')
    .description('take jobs from the queue: collections and/or metric computations')
    .addOption(storeOption())
    .addOption(queueOption())
    .option('--queues <kinds>', 'comma-separated: collect, metrics (default: both)')
    .addOption(concurrencyOption())
    .action((options: RoleOptions) => workerCommand(deps, options));

  program
    .command('scheduler')
    .description('collect each repository on its schedule (several schedulers never double-fire)')
    .addOption(storeOption())
    .addOption(queueOption())
    .action((options: RoleOptions) => schedulerCommand(deps, options));

  program
    .command('add')
    .description('register a repository and enqueue its first collection')
    .argument('<path-or-url>', 'a local path, file:// URL, or https/ssh/git URL')
    .option('--name <name>', 'the name to store it under (default: last segment of the location)')
    .option(
      '--schedule <schedule>',
      'hourly, daily (the default), weekly or a cron expression (UTC)',
    )
    .addOption(storeOption())
    .addOption(queueOption())
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .action((location: string, options: AddOptions) =>
      import('./add-command.js').then((m) => m.addCommand(deps, location, options)),
    );

  program
    .command('jobs')
    .description('list the jobs of the queue with their state and progress')
    .addOption(queueOption())
    .addOption(storeOption())
    .option('--state <states>', 'comma-separated: waiting, active, delayed, completed, failed')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action((options: JobsOptions) =>
      import('./jobs-command.js').then((m) => m.jobsCommand(deps, options)),
    );
}
