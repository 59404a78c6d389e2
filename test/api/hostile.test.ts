import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, send, type ApiFixture } from './support.js';

/**
 * Hostile inputs: each gets a clear 4xx problem with a METRE_* code, nothing is executed (an
 * injected command would create the canary file), nothing is stored, no secret is echoed or
 * logged, and the process stays healthy.
 */

let f: ApiFixture;
let canary: string;
let commitsBefore: number;

const SECRETS = ['hunter2', 'ghp_S3CRETTOKEN', 's3cretpass'];

async function countCommits(): Promise<number> {
  const [row] = await f.store.query({ sql: 'SELECT count(*) AS n FROM commits', params: [] });
  return Number(row?.n);
}

beforeAll(async () => {
  f = await apiFixture({ collected: true, allowLocal: false, api: { bodyLimitBytes: 64 * 1024 } });
  canary = join(f.dir, 'CANARY');
  commitsBefore = await countCommits();
});
afterAll(() => f.close());

const post = (url: unknown, extra: Record<string, unknown> = {}) => ({ url, ...extra });

/** [what, method, path, body (or raw string), expected status, expected code, headers] */
type Case = [string, string, string, unknown, number, string, Record<string, string>?];

const cases = (c: () => string): Case[] => [
  [
    'option injection --upload-pack',
    'POST',
    '/api/repositories',
    post(`--upload-pack=touch ${c()}`),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'option injection -u',
    'POST',
    '/api/repositories',
    post(`-u touch ${c()} https://example.org/r.git`),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'ext:: transport',
    'POST',
    '/api/repositories',
    post(`ext::sh -c touch% ${c()}`),
    400,
    'METRE_URL_SCHEME_NOT_ALLOWED',
  ],
  [
    'ext:: transport, quoted',
    'POST',
    '/api/repositories',
    post(`ext::sh -c 'touch ${c()}'`),
    400,
    'METRE_URL_SCHEME_NOT_ALLOWED',
  ],
  [
    'fd:: transport',
    'POST',
    '/api/repositories',
    post('fd::17/foo'),
    400,
    'METRE_URL_SCHEME_NOT_ALLOWED',
  ],
  [
    'ssh ProxyCommand host',
    'POST',
    '/api/repositories',
    post(`ssh://-oProxyCommand=touch%20${c()}/r`),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'scp-like ProxyCommand',
    'POST',
    '/api/repositories',
    post(`git@-oProxyCommand=touch ${c()}:r`),
    400,
    'METRE_LOCAL_PATH_NOT_ALLOWED',
  ],
  [
    'file:///etc',
    'POST',
    '/api/repositories',
    post('file:///etc'),
    400,
    'METRE_LOCAL_PATH_NOT_ALLOWED',
  ],
  ['absolute path', 'POST', '/api/repositories', post('/etc'), 400, 'METRE_LOCAL_PATH_NOT_ALLOWED'],
  [
    'relative path',
    'POST',
    '/api/repositories',
    post('../../etc/passwd'),
    400,
    'METRE_LOCAL_PATH_NOT_ALLOWED',
  ],
  [
    'http scheme',
    'POST',
    '/api/repositories',
    post('http://example.org/r.git'),
    400,
    'METRE_URL_SCHEME_NOT_ALLOWED',
  ],
  [
    'git+ssh scheme',
    'POST',
    '/api/repositories',
    post('git+ssh://example.org/r.git'),
    400,
    'METRE_URL_SCHEME_NOT_ALLOWED',
  ],
  [
    'javascript scheme',
    'POST',
    '/api/repositories',
    post('javascript://alert(1)'),
    400,
    'METRE_URL_SCHEME_NOT_ALLOWED',
  ],
  [
    'user and password',
    'POST',
    '/api/repositories',
    post('https://ada:hunter2@example.org/r.git'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'token as user name',
    'POST',
    '/api/repositories',
    post('https://ghp_S3CRETTOKEN@example.org/r.git'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'password over ssh',
    'POST',
    '/api/repositories',
    post('ssh://git:s3cretpass@example.org/r.git'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'newline then option',
    'POST',
    '/api/repositories',
    post('https://example.org/r.git\n--upload-pack=x'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'Cyrillic homoglyph host',
    'POST',
    '/api/repositories',
    post('https://ex\u0430mple.org/r.git'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'right-to-left override',
    'POST',
    '/api/repositories',
    post('https://example.org/\u202etig.r'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'zero-width space',
    'POST',
    '/api/repositories',
    post('https://example.org/r\u200b.git'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'fullwidth scheme',
    'POST',
    '/api/repositories',
    post('\uff48\uff54\uff54\uff50\uff53://example.org/r.git'),
    400,
    'METRE_LOCAL_PATH_NOT_ALLOWED',
  ],
  [
    'NUL byte',
    'POST',
    '/api/repositories',
    post('https://example.org/r.git\u0000'),
    400,
    'METRE_URL_INVALID',
  ],
  [
    'URL too long',
    'POST',
    '/api/repositories',
    post(`https://example.org/${'a'.repeat(3000)}`),
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'SQL in the URL',
    'POST',
    '/api/repositories',
    post("https://example.org/r.git'; DROP TABLE commits;--"),
    400,
    'METRE_URL_INVALID',
  ],
  ['URL of the wrong type', 'POST', '/api/repositories', post(12345), 400, 'METRE_REQUEST_INVALID'],
  [
    'URL as an array',
    'POST',
    '/api/repositories',
    post(['https://example.org/r.git']),
    400,
    'METRE_REQUEST_INVALID',
  ],
  ['missing URL', 'POST', '/api/repositories', {}, 400, 'METRE_REQUEST_INVALID'],
  [
    'unknown field',
    'POST',
    '/api/repositories',
    post('https://example.org/r.git', { admin: true }),
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'prototype pollution',
    'POST',
    '/api/repositories',
    '{"url":"https://example.org/r.git","__proto__":{"admin":true}}',
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'SQL in the name',
    'POST',
    '/api/repositories',
    post('https://example.org/r.git', { name: "x'; DROP TABLE commits;--" }),
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'homoglyph name',
    'POST',
    '/api/repositories',
    post('https://example.org/r.git', { name: 'scr\u0456pted' }),
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'path in the name',
    'POST',
    '/api/repositories',
    post('https://example.org/r.git', { name: '../../etc' }),
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'shell in the schedule',
    'POST',
    '/api/repositories',
    post('https://example.org/r.git', { schedule: '* * * * *; rm -rf /' }),
    400,
    'METRE_SCHEDULE_INVALID',
  ],
  ['malformed JSON', 'POST', '/api/repositories', '{"url": ', 400, 'METRE_REQUEST_INVALID'],
  ['JSON array body', 'POST', '/api/repositories', '[1,2,3]', 400, 'METRE_REQUEST_INVALID'],
  [
    'not JSON',
    'POST',
    '/api/repositories',
    'url=https://example.org/r.git',
    415,
    'METRE_UNSUPPORTED_MEDIA_TYPE',
    { 'content-type': 'text/plain' },
  ],
  [
    'SQL in a metric parameter',
    'GET',
    "/api/metrics/commits?repo=scripted&granularity=week'%20OR%201=1--",
    undefined,
    400,
    'METRE_PARAM_INVALID',
  ],
  [
    'SQL in a date',
    'GET',
    "/api/metrics/commits?repo=scripted&from=2020-01-01';DELETE%20FROM%20commits;--",
    undefined,
    400,
    'METRE_PARAM_INVALID',
  ],
  [
    'SQL in the repository',
    'GET',
    "/api/metrics/commits?repo=scripted';DROP%20TABLE%20commits;--",
    undefined,
    404,
    'METRE_REPO_NOT_FOUND',
  ],
  [
    'unknown metric parameter',
    'GET',
    '/api/metrics/commits?repo=scripted&limit=1',
    undefined,
    400,
    'METRE_PARAM_INVALID',
  ],
  [
    'repeated parameter',
    'GET',
    '/api/metrics/commits?repo=scripted&granularity=week&granularity=day',
    undefined,
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'wrong type of parameter',
    'GET',
    '/api/metrics/contributor-absence-factor?repo=scripted&threshold=lots',
    undefined,
    400,
    'METRE_PARAM_INVALID',
  ],
  [
    'too many repositories',
    'GET',
    `/api/metrics/commits?${Array.from({ length: 51 }, (_, i) => `repo=r${i}`).join('&')}`,
    undefined,
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'path traversal as metric',
    'GET',
    '/api/metrics/..%2F..%2Fetc%2Fpasswd?repo=scripted',
    undefined,
    404,
    'METRE_METRIC_UNKNOWN',
  ],
  [
    'unknown list parameter',
    'GET',
    '/api/repositories?limit=10&evil=1',
    undefined,
    400,
    'METRE_REQUEST_INVALID',
  ],
  ['negative limit', 'GET', '/api/repositories?limit=-1', undefined, 400, 'METRE_REQUEST_INVALID'],
  [
    'limit of the wrong type',
    'GET',
    '/api/repositories?limit=abc',
    undefined,
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'unknown parameter on a job',
    'GET',
    '/api/jobs/collect-1?admin=1',
    undefined,
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'unknown parameter on a change',
    'POST',
    '/api/identities/merge?force=true',
    { emails: ['a@example.org', 'b@example.org'] },
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'NUL in a repository id',
    'GET',
    '/api/repositories/%00',
    undefined,
    404,
    'METRE_REPO_NOT_FOUND',
  ],
  [
    'traversal in a job id',
    'GET',
    '/api/jobs/..%2F..%2Fetc',
    undefined,
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'SQL in an email',
    'POST',
    '/api/identities/merge',
    { emails: ['a@b.org', "'; DROP TABLE identity_links;--"] },
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'bidi in an email',
    'POST',
    '/api/identities/merge',
    { emails: ['a@b.org', 'ada@example.org\u202e'] },
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'emails of the wrong type',
    'POST',
    '/api/identities/split',
    { emails: 'a@b.org' },
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'affiliation with a made-up date',
    'PUT',
    '/api/affiliations',
    { items: [{ email: 'a@b.org', organization: 'X', from: 'yesterday' }] },
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'affiliation ending before it starts',
    'PUT',
    '/api/affiliations',
    { items: [{ email: 'a@b.org', organization: 'X', from: '2021-01-01', to: '2020-01-01' }] },
    400,
    'METRE_REQUEST_INVALID',
  ],
  [
    'control characters in an organisation',
    'PUT',
    '/api/affiliations',
    { items: [{ email: 'a@b.org', organization: 'X\u0007\u001b[31m' }] },
    400,
    'METRE_REQUEST_INVALID',
  ],
];

describe('hostile inputs', () => {
  const all = cases(() => canary);

  it('has more than 30 of them', () => {
    expect(all.length).toBeGreaterThan(30);
  });

  it.each(all)('%s: a clear 4xx', async (_what, method, path, body, status, code, headers) => {
    const res = await send(f.app, method, path, body, headers);
    const text = await res.text();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = JSON.parse(text) as { code: string; detail: string };
    expect(problem.code).toBe(code);
    expect(problem.detail.length).toBeGreaterThan(5);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/\bat .*\.ts:\d+|SELECT |INSERT /);
  });

  it('answers a 10 MB body with 413 before reading it, and a streamed one too', async () => {
    const big = JSON.stringify({
      url: 'https://example.org/r.git',
      name: 'x'.repeat(10 * 1024 * 1024),
    });
    const res = await send(f.app, 'POST', '/api/repositories', big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('METRE_BODY_TOO_LARGE');
    const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await f.app.request('/api/affiliations', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(10);
  });

  it('executed nothing, stored nothing, leaked nothing, and stays healthy', async () => {
    expect(existsSync(canary)).toBe(false);
    expect((await f.store.listRepositories()).map((r) => r.name)).toEqual(['scripted']);
    expect(await f.queue.listJobs()).toEqual([]);
    expect(await f.store.listIdentityLinks()).toEqual([]);
    expect(await f.store.readAffiliations()).toEqual([]);
    expect(await countCommits()).toBe(commitsBefore);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    for (const secret of SECRETS) expect(f.logText()).not.toContain(secret);
    expect((await send(f.app, 'GET', '/healthz')).status).toBe(200);
    expect((await send(f.app, 'GET', '/readyz')).status).toBe(200);
    const metric = await send(f.app, 'GET', '/api/metrics/commits?repo=scripted');
    expect(metric.status).toBe(200);
  });
});
