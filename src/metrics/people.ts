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
  /** The affiliation map; when empty, organisations come from email domains. */
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
