import { migrateStore, type SchemaReport } from '../store/index.js';
import type { CliDeps } from './commands.js';

/**
 * `metre db migrate [--store URL]`: brings the store's schema up to date (what opening it does
 * anyway) and prints its versions, so a deployment can migrate before starting its workers.
 */
export async function dbMigrateCommand(deps: CliDeps, options: { store?: string }): Promise<void> {
  const config = deps.loadConfig({ store: options.store });
  deps.stdout.write(formatSchemaReport(await migrateStore(config.store)));
}

/** The report as printed: the version, then each applied version and when. */
export function formatSchemaReport(report: SchemaReport): string {
  const state =
    report.version === report.latest ? 'up to date' : `this metre expects ${report.latest}`;
  const lines = report.applied.map(
    (step) =>
      `  version ${step.version} applied ${step.appliedAt?.toISOString() ?? 'at an unknown time'}`,
  );
  return [`${report.store}: schema version ${report.version} (${state})`, ...lines, ''].join('\n');
}
