import { analyzeCommand } from './analyze.js';
import type { CliDeps } from './commands.js';

/**
 * `metre start` (what `npm start` runs): the main job on the embedded store. Collects the demo
 * repository (METRE_DEMO_REPO, else the repository metre lives in), incrementally, and prints its
 * report: the headline numbers of `metre analyze`.
 */
export async function startCommand(deps: CliDeps, options: { store?: string }): Promise<void> {
  const config = deps.loadConfig({ store: options.store });
  const location = config.demoRepo ?? deps.ownRepository;
  deps.stderr.write(`metre: analysing ${location} into ${config.store}\n`);
  await analyzeCommand(deps, location, { store: config.store, format: 'text' });
}
