import { MetreError } from '../errors/index.js';
import type { CliDeps } from './commands.js';
import { formatTable } from './format.js';
import { withEngine } from './metric-command.js';

const EMAIL = /^[^\s<>@]+@[^\s<>@]+$|^[^\s<>]+$/;

function checkEmails(emails: readonly string[]): string[] {
  const bad = emails.find((email) => !EMAIL.test(email));
  if (bad !== undefined) throw new MetreError('METRE_USAGE', `"${bad}" is not an email`);
  return emails.map((email) => email.toLowerCase());
}

/**
 * `metre identities merge <email> <email>…`: the emails are one person (keyed by the first, or
 * `--as`); every people metric counts them together from now on, without collecting again.
 */
export async function mergeIdentitiesCommand(
  deps: CliDeps,
  emails: readonly string[],
  options: { as?: string; store?: string },
): Promise<void> {
  const checked = checkEmails(emails);
  if (checked.length < 2 && options.as === undefined) {
    throw new MetreError('METRE_USAGE', 'merge needs two emails or more (or --as <email>)');
  }
  const person = checkEmails([options.as ?? checked[0] ?? ''])[0] ?? '';
  const config = deps.loadConfig({ store: options.store });
  await withEngine(config, (_, store) => store.linkIdentities(checked, person));
  deps.stdout.write(`${checked.join(', ')} → ${person}\n`);
}

/** `metre identities split <email>…`: each email counts as its own person again. */
export async function splitIdentitiesCommand(
  deps: CliDeps,
  emails: readonly string[],
  options: { store?: string },
): Promise<void> {
  const checked = checkEmails(emails);
  const config = deps.loadConfig({ store: options.store });
  await withEngine(config, (_, store) => store.unlinkIdentities(checked));
  deps.stdout.write(`${checked.join(', ')}: unlinked\n`);
}

/** `metre identities`: the explicit merges made so far. */
export async function listIdentitiesCommand(
  deps: CliDeps,
  options: { store?: string; format: 'table' | 'json' },
): Promise<void> {
  const config = deps.loadConfig({ store: options.store });
  const links = await withEngine(config, (_, store) => store.listIdentityLinks());
  if (options.format === 'json') deps.stdout.write(`${JSON.stringify(links, null, 2)}\n`);
  else if (links.length === 0) deps.stdout.write('No explicit identity merges.\n');
  else {
    const columns = [
      { title: 'PERSON', value: (l: (typeof links)[number]) => l.person },
      { title: 'EMAIL', value: (l: (typeof links)[number]) => l.email },
    ];
    deps.stdout.write(formatTable(columns, links));
  }
}
