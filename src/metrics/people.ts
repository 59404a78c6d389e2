/** One person's organisation, for a period or for good. */
export interface Affiliation {
  /** One of the person's emails (any: it is resolved like commits' emails). */
  readonly email: string;
  readonly organization: string;
  /** Inclusive start (ISO instant), or null for since always. */
  readonly from: string | null;
  /** Exclusive end (ISO instant), or null for still. */
  readonly to: string | null;
}

/** How people are recognised: which are bots, and where each works. */
export interface PeopleConfig {
  /**
   * SQL LIKE patterns, matched against lower-cased names and emails (raw and mailmapped); a person
   * matching one is a bot.
   */
  readonly botPatterns: readonly string[];
  /**
   * The affiliation map of the configuration (`METRE_AFFILIATIONS`); the engine adds the store's
   * own (edited through the API) with `withStoredAffiliations`. When both are empty,
   * organisations come from email domains.
   */
  readonly affiliations: readonly Affiliation[];
}

/** Names ending in `[bot]` (GitHub apps) and the usual dependency and CI bots. */
export const DEFAULT_BOT_PATTERNS: readonly string[] = [
  '%[bot]',
  '%[bot]@%',
  'dependabot%',
  'renovate%',
  'greenkeeper%',
  'github-actions%',
  'snyk-bot%',
  'pre-commit-ci%',
  'mergify%',
  '%-bot@%',
  '%+bot@%',
  'bot@%',
];

/**
 * Mail providers anyone can sign up to: their domain says nothing of an employer, so people
 * using them count as "independent".
 */
export const PUBLIC_MAIL_DOMAINS: readonly string[] = [
  'gmail.com',
  'googlemail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'ymail.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'protonmail.com',
  'proton.me',
  'pm.me',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.ru',
  'yandex.ru',
  'yandex.com',
  'qq.com',
  '163.com',
  '126.com',
  'foxmail.com',
  'fastmail.com',
  'fastmail.fm',
  'tutanota.com',
  'zoho.com',
  'users.noreply.github.com',
  'users.sourceforge.net',
  'localhost',
  'localhost.localdomain',
  '(none)',
];

/** The organisation a person with no affiliation and a public (or no) email domain belongs to. */
export const INDEPENDENT = 'independent';

/**
 * The people settings the configuration gives (undefined bot patterns: the defaults).
 *
 * @example const people = peopleConfig(config.people);
 */
export function peopleConfig(settings: {
  readonly botPatterns: readonly string[] | undefined;
  readonly affiliations: readonly Affiliation[];
}): PeopleConfig {
  return {
    botPatterns: settings.botPatterns ?? DEFAULT_BOT_PATTERNS,
    affiliations: settings.affiliations,
  };
}

/**
 * The people settings with the store's affiliation map merged in: the store's entries first, then
 * the configuration's for every email the store's map does not name (emails compared
 * lower-cased). For an email in both, the store's periods replace the file's whole: the map edited
 * through the API is the later word.
 *
 * @example withStoredAffiliations(people, await store.readAffiliations())
 */
export function withStoredAffiliations(
  people: PeopleConfig,
  stored: readonly Affiliation[],
): PeopleConfig {
  if (stored.length === 0) return people;
  const named = new Set(stored.map((a) => a.email.toLowerCase()));
  const kept = people.affiliations.filter((a) => !named.has(a.email.toLowerCase()));
  return { ...people, affiliations: [...stored, ...kept] };
}
