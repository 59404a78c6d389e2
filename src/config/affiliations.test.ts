import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMetreError } from '../errors/index.js';
import { readAffiliations } from './affiliations.js';
import { loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'metre-aff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isMetreError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('affiliation files', () => {
  it('reads the list form, with several emails and open or closed periods', () => {
    const path = file(
      'list.yaml',
      [
        '- emails: [Ada@Example.org, ada@home.net]',
        '  organization: Analytical Engines',
        '  from: 2020-01-01',
        '- email: bob@example.org',
        '  organization: Initech',
        '  to: "2021-06-01T12:00:00Z"',
      ].join('\n'),
    );
    expect(readAffiliations(path)).toEqual([
      {
        email: 'ada@example.org',
        organization: 'Analytical Engines',
        from: '2020-01-01T00:00:00.000Z',
        to: null,
      },
      {
        email: 'ada@home.net',
        organization: 'Analytical Engines',
        from: '2020-01-01T00:00:00.000Z',
        to: null,
      },
      {
        email: 'bob@example.org',
        organization: 'Initech',
        from: null,
        to: '2021-06-01T12:00:00.000Z',
      },
    ]);
  });

  it('reads the map form, in JSON too', () => {
    const path = file(
      'map.json',
      JSON.stringify({
        'ada@example.org': 'Analytical Engines',
        'bob@example.org': [
          { organization: 'Initech', to: '2021-01-01' },
          { organization: 'Acme', from: '2021-01-01' },
        ],
      }),
    );
    const entries = readAffiliations(path);
    expect(entries.map((e) => `${e.email} ${e.organization} ${e.from} ${e.to}`)).toEqual([
      'ada@example.org Analytical Engines null null',
      'bob@example.org Initech null 2021-01-01T00:00:00.000Z',
      'bob@example.org Acme 2021-01-01T00:00:00.000Z null',
    ]);
  });

  it('fails with one clear line naming the file and the problem', () => {
    const missing = join(dir, 'nope.yaml');
    expect(failure(() => readAffiliations(missing))).toMatch(
      /^METRE_AFFILIATIONS_INVALID: Invalid affiliation file .*nope\.yaml: ENOENT/,
    );
    const bad = file('bad.yaml', '- email: a@b.c\n  organization: X\n  from: someday\n');
    expect(failure(() => readAffiliations(bad))).toContain('"someday" is not a date');
    const reversed = file(
      'rev.yaml',
      'a@b.c: [{ organization: X, from: 2022-01-01, to: 2021-01-01 }]',
    );
    expect(failure(() => readAffiliations(reversed))).toContain('is not before');
    const noEmail = file('noemail.yaml', '- organization: X\n');
    expect(failure(() => readAffiliations(noEmail))).toContain('needs email or emails');
  });

  it('is read by loadConfig from METRE_AFFILIATIONS, with bot patterns', () => {
    const path = file('cfg.yaml', 'ada@example.org: Analytical Engines\n');
    const config = loadConfig({
      HOME: dir,
      METRE_AFFILIATIONS: path,
      METRE_BOT_PATTERNS: '%[bot], ci-%',
    });
    expect(config.people.affiliations).toHaveLength(1);
    expect(config.people.botPatterns).toEqual(['%[bot]', 'ci-%']);
    expect(loadConfig({ HOME: dir }).people).toEqual({ botPatterns: undefined, affiliations: [] });
  });
});
