import { Command, CommanderError, Option } from 'commander';
import { isMetreError, toMetreError } from '../errors/index.js';
import { collectCommand, reposCommand, type CliDeps, type CollectOptions } from './commands.js';
import type { AnalyzeOptions } from './analyze.js';
import type { MetricOptions } from './metric-command.js';
import { addRoleCommands } from './role-program.js';
import { addApiCommand } from './api-command.js';

const storeOption = () =>
  new Option('--store <url>', 'store URL, e.g. duckdb:/path/metre.duckdb (default: METRE_STORE)');

function formatOption(choices: readonly string[], fallback: string) {
  return new Option('--format <format>', 'output format').choices(choices).default(fallback);
}

const collectValues = (value: string, previous: string[]) => [...previous, value];

/*
 * Each command's module loads when the command runs, not before: a collection is timed against
 * git itself, and the metrics, queue and API code it does not use would cost its start ~0.1 s.
 */
function buildProgram(deps: CliDeps): Command {
  const program = new Command('metre')
    .description('Measure software projects from their git history.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
    })
    .showSuggestionAfterError();

  program
    .command('collect')
    .description('collect a repository (URL or local path) into the store, incrementally')
    .argument('<path-or-url>', 'a local path, file:// URL, or https/ssh/git URL')
    .option('--name <name>', 'the name to store it under (default: last segment of the location)')
    .addOption(storeOption())
    .option('--ephemeral', 'delete the mirror after the run')
    .option('--commits-only', 'store commit metadata only; file changes come with a later run')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action((location: string, options: CollectOptions) => collectCommand(deps, location, options));

  program
    .command('repos')
    .description('list collected repositories with their counts and collection state')
    .addOption(storeOption())
    .addOption(formatOption(['table', 'json'], 'table'))
    .option('--queue <url>', 'a shared queue (redis://…): also show each collection job')
    .action((options: { store?: string; queue?: string; format: 'table' | 'json' }) =>
      reposCommand(
        deps,
        {
          store: options.store,
          queue: options.queue,
          format: options.format === 'json' ? 'json' : 'text',
        },
        async (config) => (await import('./jobs-command.js')).collectionJobs(config),
      ),
    );

  program
    .command('metric')
    .description('compute one metric (see `metre metrics`) over a repository or a group')
    .argument('<metric-id>', 'the metric, e.g. commits or contributor-absence-factor')
    .option('--repo <name>', 'a collected repository (repeat for a group)', collectValues, [])
    .addOption(storeOption())
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .helpOption(
      '-h, --help',
      'the metric parameters are --<param> <value>, e.g. --granularity week',
    )
    .allowUnknownOption()
    .allowExcessArguments()
    .action((id: string, options: MetricOptions, command: Command) =>
      import('./metric-command.js').then((m) =>
        m.metricCommand(deps, id, command.args.slice(1), options),
      ),
    );

  program
    .command('metrics')
    .description('list the metric catalogue with each definition')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action((options: { format: 'text' | 'json' }) =>
      import('./metric-command.js').then((m) => m.metricsCommand(deps, options)),
    );

  const identities = program
    .command('identities')
    .description('list the explicit identity merges (mailmap and email resolve the rest)')
    .addOption(storeOption())
    .addOption(formatOption(['table', 'json'], 'table'))
    .action((options: { store?: string; format: 'table' | 'json' }) =>
      import('./identities-command.js').then((m) => m.listIdentitiesCommand(deps, options)),
    );
  identities
    .command('merge')
    .description('count these emails as one person in every people metric')
    .argument('<emails...>', 'two emails or more; the first is the person key unless --as')
    .option('--as <email>', 'the person key to merge them under')
    .addOption(storeOption())
    .action((emails: string[], options: { as?: string; store?: string }) =>
      import('./identities-command.js').then((m) =>
        m.mergeIdentitiesCommand(deps, emails, options),
      ),
    );
  identities
    .command('split')
    .description('undo explicit merges: each email counts as its own person again')
    .argument('<emails...>', 'emails to unlink')
    .addOption(storeOption())
    .action((emails: string[], options: { store?: string }) =>
      import('./identities-command.js').then((m) =>
        m.splitIdentitiesCommand(deps, emails, options),
      ),
    );

  program
    .command('analyze')
    .description('collect a repository (incrementally) and print a report of its headline numbers')
    .argument('<path-or-url>', 'a local path, file:// URL, or https/ssh/git URL')
    .option('--name <name>', 'the name to store it under (default: last segment of the location)')
    .addOption(storeOption())
    .addOption(formatOption(['text', 'json'], 'text'))
    .option('--open', 'also write a self-contained HTML report and print its path')
    .action((location: string, options: AnalyzeOptions) =>
      import('./analyze.js').then((m) => m.analyzeCommand(deps, location, options)),
    );

  program
    .command('start')
    .description(
      'the main job on the embedded store: collect the demo repository and print its report',
    )
    .addOption(storeOption())
    .action((options: { store?: string }) =>
      import('./start-command.js').then((m) => m.startCommand(deps, options)),
    );

  program
    .command('db')
    .description('manage the store')
    .command('migrate')
    .description('bring the store schema up to date and print its versions')
    .addOption(storeOption())
    .action((options: { store?: string }) =>
      import('./db-command.js').then((m) => m.dbMigrateCommand(deps, options)),
    );

  addRoleCommands(program, deps);
  addApiCommand(program, deps);
  return program;
}

/**
 * Runs the CLI and returns the process exit code. Errors end in one line on stderr: the coded
 * message for anything a user can cause, never a stack trace.
 *
 * @example process.exitCode = await runCli(process.argv.slice(2), deps);
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  try {
    await buildProgram(deps).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const coded = toMetreError(error);
    const prefix = isMetreError(error) ? `error ${coded.code}` : `internal error ${coded.code}`;
    deps.stderr.write(`metre: ${prefix}: ${coded.message}\n`);
    return coded.exitCode;
  }
}
