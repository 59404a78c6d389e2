import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, send, type ApiFixture } from './support.js';

/** Bearer tokens on and off, the per-client rate limit, CORS. */

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture({ collected: true });
});
afterAll(() => f.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const merge = { emails: ['a@example.org', 'b@example.org'] };

describe('auth off', () => {
  it('lets reads and changes through when no token is configured', async () => {
    expect((await send(f.app, 'GET', '/api/repositories')).status).toBe(200);
    expect((await send(f.app, 'POST', '/api/identities/merge', merge)).status).toBe(200);
    expect(
      (await send(f.app, 'POST', '/api/identities/split', { emails: merge.emails })).status,
    ).toBe(200);
  });
});

describe('a mutation token', () => {
  const app = () => f.appWith({ api: { token: 'write-secret' } });

  it('needs the token for every change, answering 401 with a challenge otherwise', async () => {
    for (const headers of [
      {},
      bearer('wrong'),
      bearer('write-secre'),
      { authorization: 'write-secret' },
      { authorization: 'Basic d3JpdGUtc2VjcmV0' },
    ]) {
      const res = await send(app(), 'POST', '/api/identities/merge', merge, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metre"');
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('METRE_UNAUTHORIZED');
      expect(JSON.stringify(body)).not.toContain('write-secret');
    }
    for (const [method, path, body] of [
      ['POST', '/api/repositories', { url: f.repoDir }],
      ['PATCH', '/api/repositories/scripted', { schedule: 'hourly' }],
      ['DELETE', '/api/repositories/scripted', undefined],
      ['POST', '/api/repositories/scripted/collect', undefined],
      ['PUT', '/api/affiliations', { items: [] }],
      ['POST', '/api/identities/split', { emails: ['a@example.org'] }],
    ] as const) {
      expect((await send(app(), method, path, body)).status).toBe(401);
    }
    expect(await f.store.listIdentityLinks()).toEqual([]);
    expect((await f.store.findRepository('scripted'))?.schedule).toBe('daily');
  });

  it('accepts the right token', async () => {
    const ok = await send(app(), 'POST', '/api/identities/merge', merge, bearer('write-secret'));
    expect(ok.status).toBe(200);
    expect(await f.store.listIdentityLinks()).toHaveLength(2);
    await send(
      app(),
      'POST',
      '/api/identities/split',
      { emails: merge.emails },
      bearer('write-secret'),
    );
  });

  it('leaves reads open when no read token is set', async () => {
    expect((await send(app(), 'GET', '/api/repositories')).status).toBe(200);
    expect((await send(app(), 'GET', '/metrics')).status).toBe(200);
  });
});

describe('a read token', () => {
  const app = () => f.appWith({ api: { token: 'write-secret', readToken: 'read-secret' } });

  it('protects reads and Prometheus, accepting the read or the write token', async () => {
    for (const path of [
      '/api/repositories',
      '/api/metrics',
      '/api/metrics/commits?repo=scripted',
      '/api/identities',
      '/metrics',
    ]) {
      expect((await send(app(), 'GET', path)).status).toBe(401);
      expect((await send(app(), 'GET', path, undefined, bearer('read-secret'))).status).toBe(200);
      expect((await send(app(), 'GET', path, undefined, bearer('write-secret'))).status).toBe(200);
    }
  });

  it('does not let the read token change anything', async () => {
    const res = await send(app(), 'POST', '/api/identities/merge', merge, bearer('read-secret'));
    expect(res.status).toBe(401);
  });

  it('keeps health, readiness and the documentation open', async () => {
    for (const path of ['/healthz', '/readyz', '/api/openapi.json', '/api/docs', '/api/docs.js']) {
      expect((await send(app(), 'GET', path)).status).toBe(200);
    }
  });
});

describe('the rate limit', () => {
  it('answers 429 with Retry-After past the limit, per client, and lets the client back in later', async () => {
    const app = f.appWith({ api: { rateLimitPerMinute: 5, trustProxy: true } });
    const from = (ip: string) => ({ 'x-forwarded-for': `${ip}, 10.0.0.1` });
    for (let i = 0; i < 5; i++) {
      expect((await send(app, 'GET', '/api/metrics', undefined, from('192.0.2.1'))).status).toBe(
        200,
      );
    }
    const limited = await send(app, 'GET', '/api/metrics', undefined, from('192.0.2.1'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('12');
    expect(((await limited.json()) as { code: string }).code).toBe('METRE_RATE_LIMITED');
    // Another client is not affected, nor are health checks.
    expect((await send(app, 'GET', '/api/metrics', undefined, from('192.0.2.2'))).status).toBe(200);
    expect((await send(app, 'GET', '/healthz', undefined, from('192.0.2.1'))).status).toBe(200);
    f.advance(12_000);
    expect((await send(app, 'GET', '/api/metrics', undefined, from('192.0.2.1'))).status).toBe(200);
    expect((await send(app, 'GET', '/api/metrics', undefined, from('192.0.2.1'))).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless told to trust the proxy', async () => {
    const app = f.appWith({ api: { rateLimitPerMinute: 2 } });
    for (const ip of ['192.0.2.1', '192.0.2.2']) {
      await send(app, 'GET', '/api/metrics', undefined, { 'x-forwarded-for': ip });
    }
    const third = await send(app, 'GET', '/api/metrics', undefined, {
      'x-forwarded-for': '192.0.2.3',
    });
    expect(third.status).toBe(429);
  });
});

describe('CORS', () => {
  it('is off unless origins are configured', async () => {
    const res = await send(f.app, 'GET', '/api/metrics', undefined, {
      origin: 'https://evil.example',
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await send(f.app, 'OPTIONS', '/api/repositories', undefined, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows only the configured origins', async () => {
    const app = f.appWith({ api: { corsOrigins: ['https://dash.example'] } });
    const ok = await send(app, 'GET', '/api/metrics', undefined, {
      origin: 'https://dash.example',
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    const other = await send(app, 'GET', '/api/metrics', undefined, {
      origin: 'https://evil.example',
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
