import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BOT_PATTERNS,
  PUBLIC_MAIL_DOMAINS,
  type Affiliation,
  type MetricsEngine,
} from '../../src/metrics/index.js';
import { botKeys, countBy, utcBucket, type HistoryCommit } from '../support/history.js';
import { metricFixture, type MetricFixture } from './fixture.js';

let f: MetricFixture;
beforeAll(async () => {
  f = await metricFixture();
});
afterAll(async () => {
  await f.close();
});

const byPerson = (c: HistoryCommit) => c.mappedEmail.toLowerCase();

const botPeople = (): Set<string> => botKeys(f.history, byPerson, DEFAULT_BOT_PATTERNS);

/** The organisation git's mailmapped email (%aE) names: its domain, or "independent". */
function domainOf(c: HistoryCommit): string {
  const domain = (c.mappedEmail.toLowerCase().split('@')[1] ?? '').trim();
  return domain === '' || PUBLIC_MAIL_DOMAINS.includes(domain) ? 'independent' : domain;
}

/** The smallest number of keys whose counts, largest first, exceed `threshold` of the total. */
function factorOf(counts: Iterable<number>, threshold: number): number {
  const sorted = [...counts].sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  let sum = 0;
  for (const [i, n] of sorted.entries()) {
    sum += n;
    if (sum > threshold * total) return i + 1;
  }
  return 0;
}

async function get(engine: MetricsEngine, metric: string, params: Record<string, unknown> = {}) {
  return (await engine.get({ metric, repositories: [f.repo], params })).result;
}

describe('elephant-factor from email domains', () => {
  it('sees several organisations, independents among them', () => {
    const orgs = countBy(f.history, domainOf);
    expect(orgs.size).toBeGreaterThan(3);
    expect(orgs.has('independent')).toBe(true);
  });

  for (const threshold of [0.5, 0.25, 0.75, 0.875]) {
    it(`is the smallest number of organisations above ${threshold}, bots left out`, async () => {
      const bots = botPeople();
      const humans = f.history.filter((c) => !bots.has(byPerson(c)));
      const orgs = countBy(humans, domainOf);
      const result = await get(f.engine, 'elephant-factor', { threshold });
      if (result.kind !== 'scalar') throw new Error('not a scalar');
      const factor = factorOf(orgs.values(), threshold);
      expect(result.value).toBe(factor);
      const want = [...orgs]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, factor)
        .map(([organization, commits]) => ({
          organization,
          commits,
          share: commits / humans.length,
        }));
      expect(result.detail).toEqual({
        threshold,
        totalCommits: humans.length,
        organizations: want,
      });
    });
  }

  it('counts bots with bots=include, and per bucket with a granularity', async () => {
    const all = await get(f.engine, 'elephant-factor', { bots: 'include', threshold: 0.75 });
    expect(all.kind === 'scalar' && all.value).toBe(
      factorOf(countBy(f.history, domainOf).values(), 0.75),
    );
    const series = await get(f.engine, 'elephant-factor', { granularity: 'year' });
    if (series.kind !== 'timeseries') throw new Error('not a time series');
    const bots = botPeople();
    const humans = f.history.filter((c) => !bots.has(byPerson(c)));
    const years = new Map<string, HistoryCommit[]>();
    for (const c of humans) {
      const t = utcBucket(c.authorTime, 'year');
      years.set(t, [...(years.get(t) ?? []), c]);
    }
    expect(new Map(series.points.map((p) => [p.t, p.factor]))).toEqual(
      new Map([...years].map(([t, cs]) => [t, factorOf(countBy(cs, domainOf).values(), 0.5)])),
    );
    expect(series.total.factor).toBe(factorOf(countBy(humans, domainOf).values(), 0.5));
  });
});

/**
 * An affiliation map over the fixture: the busiest human joins "Acme" at the middle of history
 * (by their mailmapped email) and was at "Initech" until then, overlapping "Acme" for a month;
 * someone whose raw email .mailmap maps to another is at "Globex" for good, named by that raw
 * email.
 */
function affiliationMap(): { map: Affiliation[]; orgOf: (c: HistoryCommit) => string } {
  const bots = botPeople();
  const humans = f.history.filter((c) => !bots.has(byPerson(c)));
  const busiest = [...countBy(humans, byPerson)].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const times = f.history.map((c) => c.authorTime).sort((a, b) => a - b);
  const middle = times[Math.floor(times.length / 2)] ?? 0;
  const joins = new Date(middle * 1000).toISOString();
  const leaves = new Date((middle + 30 * 86_400) * 1000).toISOString();
  const mapped = f.history.find(
    (c) =>
      c.authorEmail.toLowerCase() !== c.mappedEmail.toLowerCase() &&
      byPerson(c) !== busiest &&
      !bots.has(byPerson(c)),
  );
  if (mapped === undefined) throw new Error('the fixture has no email mapped by .mailmap');
  const globex = byPerson(mapped);
  const map: Affiliation[] = [
    { email: busiest.toUpperCase(), organization: 'Acme', from: joins, to: null },
    { email: busiest, organization: 'Initech', from: null, to: leaves },
    { email: mapped.authorEmail, organization: 'Globex', from: null, to: null },
  ];
  const orgOf = (c: HistoryCommit) => {
    const at = c.authorTime * 1000;
    if (byPerson(c) === globex) return 'Globex';
    if (byPerson(c) === busiest) {
      // Overlapping periods: the largest name ("Initech" > "Acme").
      if (at < Date.parse(leaves)) return 'Initech';
      if (at >= Date.parse(joins)) return 'Acme';
    }
    return domainOf(c);
  };
  return { map, orgOf };
}

describe('elephant-factor and organizational-diversity with an affiliation map', () => {
  it('places commits by the period holding their date, overlaps to the largest name', async () => {
    const { map, orgOf } = affiliationMap();
    const engine = f.engineWith({ affiliations: map });
    const result = await get(engine, 'organizational-diversity', { granularity: 'quarter' });
    if (result.kind !== 'table') throw new Error('not a table');
    const commits = countBy(f.history, orgOf);
    expect(commits.get('Acme')).toBeGreaterThan(0);
    expect(commits.get('Initech')).toBeGreaterThan(0);
    expect(commits.get('Globex')).toBeGreaterThan(0);
    expect(new Map(result.rows.map((r) => [r.organization, r.commits]))).toEqual(commits);
    for (const threshold of [0.5, 0.75]) {
      const bots = botPeople();
      const humans = f.history.filter((c) => !bots.has(byPerson(c)));
      const factor = await get(engine, 'elephant-factor', { threshold });
      expect(factor.kind === 'scalar' && factor.value).toBe(
        factorOf(countBy(humans, orgOf).values(), threshold),
      );
    }
  });
});

describe('the store’s affiliation map (set through the API)', () => {
  afterEach(async () => f.store.replaceAffiliations([]));

  const rowsOf = async (engine: MetricsEngine) => {
    const result = await engine.get({ metric: 'organizational-diversity', repositories: [f.repo] });
    if (result.result.kind !== 'table') throw new Error('not a table');
    const commits = new Map(result.result.rows.map((r) => [r.organization, r.commits]));
    return { cached: result.cached, commits };
  };

  it('places commits as the same map from the configuration does; replacing it ends the cache', async () => {
    const { map, orgOf } = affiliationMap();
    const engine = f.engineWith({});
    const before = await rowsOf(engine);
    expect(before.commits).toEqual(countBy(f.history, domainOf));
    expect((await rowsOf(engine)).cached).toBe(true);
    await f.store.replaceAffiliations(map);
    const after = await rowsOf(engine);
    expect(after.cached).toBe(false);
    expect(after.commits).toEqual(countBy(f.history, orgOf));
    expect((await rowsOf(engine)).cached).toBe(true);
    await f.store.replaceAffiliations([]);
    expect(await rowsOf(engine)).toEqual({ cached: false, commits: before.commits });
  });

  it('replaces the configuration’s entries for the same email, keeps its others', async () => {
    const { map, orgOf } = affiliationMap();
    const [acme, initech, globex] = map as [Affiliation, Affiliation, Affiliation];
    // The configuration says the busiest human was at "Config Corp" for good (any case of the
    // email): the store's periods replace that. Its Globex entry is not in the store: it stays.
    const configured: Affiliation[] = [
      { email: acme.email.toLowerCase(), organization: 'Config Corp', from: null, to: null },
      globex,
    ];
    await f.store.replaceAffiliations([acme, initech]);
    const { commits } = await rowsOf(f.engineWith({ affiliations: configured }));
    expect(commits.has('Config Corp')).toBe(false);
    expect(commits).toEqual(countBy(f.history, orgOf));
  });
});

describe('organizational-diversity', () => {
  it('gives commits and people per organisation with their shares', async () => {
    const result = await get(f.engine, 'organizational-diversity');
    if (result.kind !== 'table') throw new Error('not a table');
    const commits = countBy(f.history, domainOf);
    const people = new Map<string, Set<string>>();
    for (const c of f.history) {
      people.set(domainOf(c), (people.get(domainOf(c)) ?? new Set()).add(byPerson(c)));
    }
    const everyone = new Set(f.history.map(byPerson)).size;
    const want = [...commits]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([organization, n]) => ({
        organization,
        commits: n,
        people: people.get(organization)?.size ?? 0,
        commitShare: n / f.history.length,
        peopleShare: (people.get(organization)?.size ?? 0) / everyone,
      }));
    expect(result.rows).toEqual(want);
    expect(result.columns).toEqual([
      'organization',
      'commits',
      'people',
      'commitShare',
      'peopleShare',
    ]);
  });

  it('counts the organisations of each bucket, gap-filled', async () => {
    const result = await get(f.engine, 'organizational-diversity', { granularity: 'month' });
    const perBucket = result.detail?.perBucket as { t: string; organizations: number }[];
    const orgs = new Map<string, Set<string>>();
    for (const c of f.history) {
      const t = utcBucket(c.authorTime, 'month');
      orgs.set(t, (orgs.get(t) ?? new Set()).add(domainOf(c)));
    }
    expect(
      new Map(perBucket.filter((p) => p.organizations > 0).map((p) => [p.t, p.organizations])),
    ).toEqual(new Map([...orgs].map(([t, set]) => [t, set.size])));
    const first = utcBucket(Math.min(...f.history.map((c) => c.authorTime)), 'month');
    const last = utcBucket(Math.max(...f.history.map((c) => c.authorTime)), 'month');
    expect(perBucket[0]?.t).toBe(first);
    expect(perBucket.at(-1)?.t).toBe(last);
  });

  it('leaves bots out with bots=exclude, and follows the range', async () => {
    const bots = botPeople();
    const from = utcBucket(f.history[Math.floor(f.history.length / 2)]?.authorTime ?? 0, 'year');
    const to = `${Number(from.slice(0, 4)) + 1}-01-01`;
    const result = await get(f.engine, 'organizational-diversity', { bots: 'exclude', from, to });
    if (result.kind !== 'table') throw new Error('not a table');
    const kept = f.history.filter(
      (c) =>
        !bots.has(byPerson(c)) &&
        c.authorTime >= Date.parse(from) / 1000 &&
        c.authorTime < Date.parse(to) / 1000,
    );
    expect(new Map(result.rows.map((r) => [r.organization, r.commits]))).toEqual(
      countBy(kept, domainOf),
    );
  });
});
