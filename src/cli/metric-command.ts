import type { Config } from '../config/index.js';
import { MetreError } from '../errors/index.js';
import { MetricsEngine, describeCatalogue, peopleConfig, toCsv } from '../metrics/index.js';
import { openStore, type Store } from '../store/index.js';
import type { CliDeps } from './commands.js';
import { renderCatalogue, renderResponse } from './metric-view.js';

/** The flags of `metre metric`; the metric's own parameters come as extra `--name value` pairs. */
export interface MetricOptions {
  readonly repo: readonly string[];
  readonly store?: string;
  readonly format: 'table' | 'json' | 'csv';
}

/** Opens the store and an engine over it for one command. */
export async function withEngine<T>(
  config: Config,
  use: (engine: MetricsEngine, store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(config.store);
  try {
    return await use(new MetricsEngine({ store, people: peopleConfig(config.people) }), store);
  } finally {
    await store.close();
  }
}

/**
 * `metre metric <id> --repo R [--repo R2] [--<param> <value> …]`: one metric over a repository or
 * a group, from the cache when fresh.
 */
export async function metricCommand(
  deps: CliDeps,
  id: string,
  extra: readonly string[],
  options: MetricOptions,
): Promise<void> {
  if (options.repo.length === 0) {
    throw new MetreError('METRE_USAGE', 'metre metric needs --repo <name> (repeat it for a group)');
  }
  const params = paramsFrom(extra);
  const config = deps.loadConfig({ store: options.store });
  const response = await withEngine(config, (engine) =>
    engine.get({ metric: id, repositories: options.repo, params }),
  );
  if (options.format === 'json') deps.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  else if (options.format === 'csv') deps.stdout.write(toCsv(response.result));
  else deps.stdout.write(renderResponse(response));
}

/** `metre metrics`: the catalogue with each definition. */
export function metricsCommand(deps: CliDeps, options: { format: 'text' | 'json' }): void {
  const catalogue = describeCatalogue();
  deps.stdout.write(
    options.format === 'json'
      ? `${JSON.stringify(catalogue, null, 2)}\n`
      : renderCatalogue(catalogue),
  );
}

/**
 * `--granularity month --from=2020-01-01` to `{ granularity: 'month', from: '2020-01-01' }`;
 * kebab-case names become camelCase. A flag with no value is refused (metric parameters all take
 * one).
 */
export function paramsFrom(args: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new MetreError('METRE_USAGE', `Unexpected argument "${arg}"`);
    const name = (match[1] ?? '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const value = match[2] ?? args[++i];
    if (value === undefined || (match[2] === undefined && value.startsWith('--'))) {
      throw new MetreError('METRE_USAGE', `Parameter --${match[1]} needs a value`);
    }
    params[name] = value;
  }
  return params;
}
