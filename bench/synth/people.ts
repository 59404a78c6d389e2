import { type Random, at, cumulate } from './random.js';

/** One way a person signs commits. */
export interface Identity {
  readonly name: string;
  readonly email: string;
}

/** A UTC offset in minutes, with daylight saving time in one hemisphere's summer. */
export interface Zone {
  readonly standard: number;
  readonly summer: number;
  readonly south: boolean;
}

export interface Person {
  readonly identities: readonly Identity[];
  readonly zone: Zone;
  readonly login: string;
}

/** A name and email as written in a commit header, with the time and offset of the event. */
export interface Signature extends Identity {
  readonly time: number;
  readonly tz: string;
}

const zone = (standard: number, summer = standard, south = false): Zone => ({
  standard,
  summer,
  south,
});

/**
 * Offsets in the order people get them, so the most active people already cover western and
 * eastern, whole-hour and half-hour, negative and far-east (+1345) offsets.
 */
const ZONES: readonly Zone[] = [
  zone(60, 120), // Berlin
  zone(-480, -420), // Los Angeles
  zone(330), // Kolkata +0530
  zone(-300, -240), // New York
  zone(0, 60), // London
  zone(480), // Shanghai
  zone(765, 825, true), // Chatham +1245 / +1345
  zone(-180), // São Paulo
  zone(540), // Tokyo
  zone(600, 660, true), // Sydney
  zone(345), // Kathmandu +0545
  zone(-210, -150), // St. John's -0330 / -0230
  zone(120, 180), // Helsinki
  zone(720, 780, true), // Auckland
  zone(-570), // Marquesas -0930
  zone(-420, -360), // Denver
  zone(210), // Tehran +0330
  zone(570, 630, true), // Adelaide
];

const UTC = zone(0);

const FIRST = [
  'Alice', 'Bruno', 'Chen', 'Dmitri', 'Elena', 'François', 'Grace', 'Hiroshi',
  'Ingrid', 'José', 'Kwame', 'Łukasz', 'María', 'Nikolai', 'Olga', 'Priya',
  'Quentin', 'Rahul', 'Søren', 'Tomás', 'Uwe', 'Valentina', 'Wei', 'Xavier',
  'Yuki', 'Zoë', 'Ahmed', 'Björn', 'Chloé', 'Darius', 'Fatima', 'Giulia',
]; // prettier-ignore

const LAST = [
  'Anderson', 'Bianchi', 'Černý', 'Dubois', 'Eriksson', 'Fernández', 'García', 'Haddad',
  'Ito', 'Jansen', 'Kowalski', 'López', 'Müller', 'Nguyen', "O'Brien", 'Petrov',
  'Quispe', 'Rossi', 'Schmidt', 'Tanaka', 'Umarov', 'Varga', 'Wang', 'Xu',
  'Yılmaz', 'Zhang', 'Öztürk', 'Nakamura', 'Silva', 'Kim', 'Novák', 'Smith',
]; // prettier-ignore

/** Names written in other scripts, with the romanised login their owner uses in emails. */
const SCRIPT_NAMES: readonly (readonly [string, string])[] = [
  ['张伟', 'zhang.wei'],
  ['山田太郎', 'taro.yamada'],
  ['김민준', 'minjun.kim'],
  ['Αλέξης Παπαδόπουλος', 'alexis.papadopoulos'],
  ['Дмитрий Иванов', 'dmitry.ivanov'],
];

const DOMAINS = ['example.com', 'mail.example.org', 'corp.example.net', 'uni.example.edu'];

const BOTS: Readonly<Record<BotName, Identity>> = {
  dependabot: {
    name: 'dependabot[bot]',
    email: '49699333+dependabot[bot]@users.noreply.github.com',
  },
  renovate: { name: 'renovate[bot]', email: '29139614+renovate[bot]@users.noreply.github.com' },
  actions: {
    name: 'github-actions[bot]',
    email: '41898282+github-actions[bot]@users.noreply.github.com',
  },
};

export type BotName = 'dependabot' | 'renovate' | 'actions';

/** The committer of pull requests merged on GitHub's web interface. */
export const WEB_FLOW: Identity = { name: 'GitHub', email: 'noreply@github.com' };

function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toLowerCase();
}

function nameOf(index: number): { name: string; login: string } {
  if (index % 11 === 7) {
    const [name, login] = at(SCRIPT_NAMES, Math.floor(index / 11) % SCRIPT_NAMES.length);
    return { name, login: index < 55 ? login : `${login}${index}` };
  }
  const first = at(FIRST, index % 32);
  const last = at(LAST, (index * 7 + Math.floor(index / 32)) % 32);
  const suffix = index >= 1024 ? ` ${Math.floor(index / 1024) + 1}` : '';
  return {
    name: `${first} ${last}${suffix}`,
    login: `${ascii(first)}.${ascii(last)}${suffix.trim()}`,
  };
}

/** The second email or spelling a person sometimes uses; the first two people always have one. */
function aliasesOf(rng: Random, index: number, name: string, login: string): Identity[] {
  const aliases: Identity[] = [];
  if (index === 0 || rng.chance(0.25)) {
    aliases.push({ name, email: `${10_000 + index * 37}+${login}@users.noreply.github.com` });
  }
  if (index === 1 || rng.chance(0.1)) {
    const plain = asciiName(name);
    aliases.push({ name: plain === name ? login : plain, email: `${login}@${at(DOMAINS, 0)}` });
  }
  return aliases;
}

function asciiName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function personOf(rng: Random, index: number, timezones: boolean): Person {
  const { name, login } = nameOf(index);
  const primary = { name, email: `${login}@${at(DOMAINS, index % DOMAINS.length)}` };
  return {
    identities: [primary, ...aliasesOf(rng, index, name, login)],
    zone: timezones ? at(ZONES, index % ZONES.length) : UTC,
    login,
  };
}

/**
 * The contributors of the synthetic project: a few prolific people and a long tail (Zipf
 * weights), some signing with two emails or two spellings, plus bots and GitHub's web flow.
 */
export class People {
  readonly #people: readonly Person[];
  readonly #cumulative: readonly number[];

  constructor(rng: Random, count: number, timezones: boolean) {
    this.#people = Array.from({ length: count }, (_, index) => personOf(rng, index, timezones));
    this.#cumulative = cumulate(this.#people.map((_, rank) => 1 / (rank + 1)));
  }

  /** Someone who writes code, the most active ones most often. */
  author(rng: Random): Person {
    return at(this.#people, rng.weighted(this.#cumulative));
  }

  /** One of the two or three people who merge, tag and apply others' patches. */
  maintainer(rng: Random): Person {
    return at(this.#people, rng.int(Math.min(3, this.#people.length)));
  }

  /** The identity used for one commit: mostly the primary one. */
  identity(rng: Random, person: Person): Identity {
    if (person.identities.length === 1 || rng.chance(0.75)) return at(person.identities, 0);
    return rng.pick(person.identities);
  }
}

export function bot(name: BotName): Identity {
  return BOTS[name];
}

/** The `+hhmm` offset of `person` at `time` (seconds since the epoch), summer time included. */
export function offsetAt(zoneOf: Zone, time: number): string {
  const month = new Date(time * 1000).getUTCMonth();
  const summer = zoneOf.south ? month >= 9 || month <= 2 : month >= 3 && month <= 9;
  const minutes = summer ? zoneOf.summer : zoneOf.standard;
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hhmm = String(Math.floor(abs / 60) * 100 + (abs % 60)).padStart(4, '0');
  return `${sign}${hhmm}`;
}

/** The zone of bots and of GitHub's web flow. */
export const UTC_ZONE = UTC;

export function sign(identity: Identity, zoneOf: Zone, time: number): Signature {
  return { ...identity, time, tz: offsetAt(zoneOf, time) };
}
