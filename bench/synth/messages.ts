import { WORDS } from './content.js';
import type { Identity } from './people.js';
import type { Random } from './random.js';

const VERBS = ['Fix', 'Add', 'Update', 'Refactor', 'Remove', 'Improve', 'Document', 'Simplify'];
const TYPES = ['fix', 'feat', 'docs', 'refactor', 'test', 'chore', 'perf'];
const PREPOSITIONS = ['in', 'for', 'when parsing', 'after', 'around', 'with'];
const PACKAGES = ['lodash', 'typescript', 'eslint', 'vitest', 'zod', 'undici', 'semver', 'yaml'];

/** Non-ASCII phrases that real messages carry: accents, CJK, emoji. */
const UNICODE = ['(naïve café)', '— déjà vu', '修复边界情况', 'ñandú 🚀', 'Ünïcödé ✓', 'テスト'];

const TRAILERS = ['Signed-off-by', 'Reviewed-by', 'Co-authored-by'];

function phrase(rng: Random): string {
  return `${rng.pick(WORDS)} ${rng.pick(WORDS)} ${rng.pick(PREPOSITIONS)} ${rng.pick(WORDS)}`;
}

function sentence(rng: Random): string {
  const words = Array.from({ length: rng.between(6, 14) }, () => rng.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Paragraphs wrapped at 72 columns, as `git commit` users write them. */
function body(rng: Random): string {
  const paragraphs = Array.from({ length: rng.between(1, 3) }, () => {
    const text = Array.from({ length: rng.between(1, 4) }, () => sentence(rng)).join(' ');
    return text.replace(/(.{1,72})(?: |$)/g, '$1\n').trimEnd();
  });
  return paragraphs.join('\n\n');
}

/** A subject line: imperative, conventional-commit or squash-merge style. */
export function subject(rng: Random, pr: () => number): string {
  const r = rng.float();
  let text: string;
  if (r < 0.3) text = `${rng.pick(TYPES)}(${rng.pick(WORDS)}): ${phrase(rng).toLowerCase()}`;
  else text = `${rng.pick(VERBS)} ${phrase(rng)}`;
  if (rng.chance(0.15)) text += ` (#${pr()})`;
  if (rng.chance(0.03)) text += ` ${rng.pick(UNICODE)}`;
  if (rng.chance(0.01)) text += ` ${phrase(rng)} ${phrase(rng)} ${phrase(rng)}`;
  return text;
}

/**
 * A whole commit message: a subject, often a body, sometimes trailers; ends with a newline
 * except now and then (git keeps whatever it is given).
 */
export function message(rng: Random, pr: () => number, coAuthor: Identity): string {
  let text = subject(rng, pr);
  if (rng.chance(0.4)) text += `\n\n${body(rng)}`;
  if (rng.chance(0.12)) {
    text += `\n\n${rng.pick(TRAILERS)}: ${coAuthor.name} <${coAuthor.email}>`;
  }
  return rng.chance(0.02) ? text : `${text}\n`;
}

export function emptyMessage(rng: Random): string {
  return `${rng.pick(['Trigger CI', 'Empty commit to re-run checks', 'Retry the release build'])}\n`;
}

/** The commit of a dependency bot and the files it touches. */
export function botMessage(rng: Random, bot: 'dependabot' | 'renovate' | 'actions'): string {
  const name = rng.pick(PACKAGES);
  const from = `${rng.int(9)}.${rng.int(20)}.${rng.int(10)}`;
  const to = `${rng.int(9) + 1}.${rng.int(20)}.${rng.int(10)}`;
  if (bot === 'actions') return 'chore: update CHANGELOG.md [skip ci]\n';
  if (bot === 'renovate') return `chore(deps): update dependency ${name} to v${to}\n`;
  return (
    `Bump ${name} from ${from} to ${to}\n\nBumps [${name}](https://github.com/example/${name}) ` +
    `from ${from} to ${to}.\n\n---\nupdated-dependencies:\n- dependency-name: ${name}\n` +
    `  dependency-type: direct:development\n...\n\nSigned-off-by: dependabot[bot] <support@github.com>\n`
  );
}

export function mergeMessage(
  rng: Random,
  topics: readonly { topic: string; pr: number; title: string; login: string }[],
): string {
  const [first, ...rest] = topics;
  if (first === undefined) throw new RangeError('a merge needs at least one branch');
  if (rest.length > 0) {
    const names = topics.map((t) => `'${t.topic}'`);
    return `Merge branches ${names.slice(0, -1).join(', ')} and ${names.at(-1)}\n`;
  }
  if (rng.chance(0.7)) {
    return `Merge pull request #${first.pr} from ${first.login}/${first.topic}\n\n${first.title}\n`;
  }
  return `Merge branch '${first.topic}'\n`;
}

export function tagMessage(rng: Random, name: string): string {
  const items = Array.from({ length: rng.between(1, 5) }, () => `- ${phrase(rng)}`);
  return `Release ${name}\n\n${items.join('\n')}\n`;
}

/** A commit message in Latin-1 bytes, for commits that declare `encoding ISO-8859-1`. */
export function latin1Message(rng: Random): Buffer {
  return Buffer.from(`Corrige la mise à jour du ${rng.pick(WORDS)} (déjà signalé)\n`, 'latin1');
}
