import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../src/api/index.js';
import { apiFixture, type ApiFixture } from './support.js';

/**
 * The cached-metric front (src/api/cached-front.ts) answers over real HTTP exactly as the app
 * behind it: each request goes to a server wired as boot/ wires it (the front, then the adapter)
 * and to a server of the adapter alone, over the same app; status, headers, bytes, log lines and
 * Prometheus series must match, and the front must have answered only what it may.
 */

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture({ collected: true });
});
afterAll(() => f.close());

const MONTHLY = '/api/metrics/commits?repo=scripted&granularity=month';

interface Served {
  readonly url: string;
  /** For each request, whether the front answered it (the adapter alone: always false). */
  readonly byFront: boolean[];
  close(): Promise<void>;
}

/** Serves the app on loopback: with the front first (as boot/ does), or the adapter alone. */
async function serve(app: Api, withFront: boolean): Promise<Served> {
  const adapter = getRequestListener(app.fetch, { hostname: '127.0.0.1' });
  const byFront: boolean[] = [];
  const server = createServer((req, res) => {
    const answered = withFront && app.front(req, res);
    byFront.push(answered);
    if (!answered) void adapter(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    byFront,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

interface Seen {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Headers that differ between any two answers (the clock, the connection). */
const VARYING = new Set(['date', 'connection', 'keep-alive']);

async function get(
  served: Served,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Seen> {
  const res = await fetch(`${served.url}${path}`, { method, headers });
  const kept = [...res.headers].filter(([name]) => !VARYING.has(name));
  return { status: res.status, headers: Object.fromEntries(kept), body: await res.text() };
}

interface RawSeen {
  readonly status: number;
  /** Each header line as sent, in order (but those of VARYING). */
  readonly lines: string[];
  readonly body: string;
}

/** A GET through node's client, which sends the headers as given (fetch sets its own Host). */
function rawGet(served: Served, path: string, headers: Record<string, string>): Promise<RawSeen> {
  return new Promise((done, fail) => {
    const req = request(`${served.url}${path}`, { headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const lines: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i] ?? '';
          if (!VARYING.has(name.toLowerCase())) lines.push(`${name}: ${res.rawHeaders[i + 1]}`);
        }
        done({ status: res.statusCode ?? 0, lines, body });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

/** A request's log line, without what differs between two answers (time, duration, id). */
function logLineOf(id: string): Record<string, unknown> {
  const line = f.logs.find((l) => l.reqId === id);
  expect(line, `a log line for ${id}`).toBeDefined();
  const { time, ms, reqId, ...rest } = line!;
  expect(typeof time).toBe('number');
  expect(typeof ms).toBe('number');
  expect(reqId).toBe(id);
  return rest;
}

/** A Prometheus sample's value (0 when absent). */
async function sample(app: Api, series: string): Promise<number> {
  const text = await (await app.request('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const LATENCY_200 =
  'metre_http_request_duration_seconds_count{method="GET",route="/api/metrics/:metricId",status="200"}';
const LATENCY_304 =
  'metre_http_request_duration_seconds_count{method="GET",route="/api/metrics/:metricId",status="304"}';
const HITS = 'metre_metric_cache_requests_total{outcome="hit"}';

/** Asks the app until the metric is computed and its spelling known, as a first visitor does. */
async function warm(app: Api, path: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const res = await app.request(path);
    const body = (await res.json()) as { stale?: boolean };
    if (res.status === 200 && body.stale === false) return;
    await f.engine.idle();
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`${path} was never computed`);
}

/** The same request through the front and through the adapter alone, with its own id each. */
async function both(
  app: Api,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ front: Seen; plain: Seen; byFront: boolean }> {
  const front = await serve(app, true);
  const plain = await serve(app, false);
  try {
    const a = await get(front, path, { ...headers, 'x-request-id': 'same-id' }, method);
    const b = await get(plain, path, { ...headers, 'x-request-id': 'same-id' }, method);
    return { front: a, plain: b, byFront: front.byFront[0] ?? false };
  } finally {
    await front.close();
    await plain.close();
  }
}

describe('a cached metric through the front', () => {
  beforeAll(() => warm(f.app, MONTHLY));

  it('answers with the same status, headers and bytes as the app', async () => {
    const { front, plain, byFront } = await both(f.app, MONTHLY);
    expect(byFront).toBe(true);
    expect(front).toEqual(plain);
    expect(front.status).toBe(200);
    expect(front.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
      vary: 'Accept, Authorization',
      'x-content-type-options': 'nosniff',
      'x-request-id': 'same-id',
      'content-length': String(Buffer.byteLength(front.body)),
    });
    expect(front.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(JSON.parse(front.body)).toMatchObject({ metric: 'commits', stale: false });
  });

  it('sends the same header lines in the same order as the app', async () => {
    const front = await serve(f.app, true);
    const plain = await serve(f.app, false);
    try {
      const headers = { 'x-request-id': 'raw' };
      const a = await rawGet(front, MONTHLY, headers);
      const b = await rawGet(plain, MONTHLY, headers);
      expect(front.byFront).toEqual([true]);
      expect(a).toEqual(b);
      expect(a.lines[0]).toBe('content-type: application/json; charset=utf-8');
    } finally {
      await front.close();
      await plain.close();
    }
  });

  it('answers 304 to If-None-Match, as the app does', async () => {
    const { front: first } = await both(f.app, MONTHLY);
    const etag = first.headers.etag ?? '';
    const { front, plain, byFront } = await both(f.app, MONTHLY, { 'if-none-match': `W/${etag}` });
    expect(byFront).toBe(true);
    expect(front).toEqual(plain);
    expect(front).toMatchObject({ status: 304, body: '' });
    expect(front.headers.etag).toBe(etag);
  });

  it('negotiates CSV from Accept and from format=csv, as the app does', async () => {
    const accepted = await both(f.app, MONTHLY, { accept: 'text/csv, application/json' });
    expect(accepted.byFront).toBe(true);
    expect(accepted.front).toEqual(accepted.plain);
    expect(accepted.front.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(accepted.front.body.split('\n')[0]).toBe('t,commits');
    const path = `${MONTHLY}&format=csv`;
    const learnt = await both(f.app, path); // a spelling not seen yet: the app answers, and learns it
    expect(learnt.byFront).toBe(false);
    const again = await both(f.app, path);
    expect(again.byFront).toBe(true);
    expect(again.front).toEqual(again.plain);
    expect(again.front.body).toBe(accepted.front.body);
    expect(learnt.plain).toEqual(again.plain);
  });

  it('logs one line per request, the same line as the app, with a new UUID when none is given', async () => {
    const front = await serve(f.app, true);
    const plain = await serve(f.app, false);
    try {
      await get(front, MONTHLY, { 'x-request-id': 'front-line' });
      await get(plain, MONTHLY, { 'x-request-id': 'plain-line' });
      expect(front.byFront).toEqual([true]);
      expect(logLineOf('front-line')).toEqual(logLineOf('plain-line'));
      expect(logLineOf('front-line')).toMatchObject({
        level: 30,
        msg: 'request',
        method: 'GET',
        path: '/api/metrics/commits',
        status: 200,
      });
      const made = await get(front, MONTHLY, { 'x-request-id': '<not an id>' });
      const id = made.headers['x-request-id'] ?? '';
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(f.logs.filter((l) => l.reqId === id)).toHaveLength(1);
    } finally {
      await front.close();
      await plain.close();
    }
  });

  it('counts each answer in Prometheus as the app does: latency by route and status, cache hits', async () => {
    const etag = (await both(f.app, MONTHLY)).front.headers.etag ?? '';
    for (const withFront of [true, false]) {
      const served = await serve(f.app, withFront);
      try {
        const before = [LATENCY_200, LATENCY_304, HITS].map((s) => sample(f.app, s));
        const [ok, notModified, hits] = await Promise.all(before);
        await get(served, MONTHLY);
        await get(served, MONTHLY);
        await get(served, MONTHLY, { 'if-none-match': etag });
        expect(served.byFront).toEqual([withFront, withFront, withFront]);
        expect(await sample(f.app, LATENCY_200)).toBe(ok! + 2);
        expect(await sample(f.app, LATENCY_304)).toBe(notModified! + 1);
        expect(await sample(f.app, HITS)).toBe(hits! + 3);
      } finally {
        await served.close();
      }
    }
  });

  it('leaves to the app what it may not answer, which then answers as usual', async () => {
    await warm(f.app, '/api/metrics/commits?repo=scripted');
    for (const [path, method] of [
      [MONTHLY, 'HEAD'], // not a GET
      ['/api/metrics/commits?repo=scripted&granularity=%6Donth', 'GET'], // encoded
      ['/api/metrics/commits?granularity=month&repo=scripted', 'GET'], // not yet seen so
      ['/api/metrics/commits/?repo=scripted&granularity=month', 'GET'], // another route
      ['/api/metrics/commits?repo=scripted&x=/../', 'GET'], // a dot segment
      ['/api/metrics/nope?repo=scripted', 'GET'], // unknown
      ['/api/metrics/commits', 'GET'], // no query string: no repository, refused (400)
      ['/api/metrics/commits?', 'GET'], // an empty one: likewise
      ['/api/repositories', 'GET'],
      ['/healthz', 'GET'],
    ] as const) {
      const { front, plain, byFront } = await both(f.app, path, {}, method);
      expect(byFront, `${method} ${path}`).toBe(false);
      expect(front).toEqual(plain);
    }
  });

  it('answers a spelling once the app has learnt it, to the byte: trailing separators', async () => {
    for (const path of [`${MONTHLY}&`, `${MONTHLY}&&`]) {
      const learnt = await both(f.app, path);
      expect(learnt.byFront, path).toBe(false);
      expect(learnt.plain.status, path).toBe(200);
      const again = await both(f.app, path);
      expect(again.byFront, path).toBe(true);
      expect(again.front, path).toEqual(again.plain);
      expect(again.front.status, path).toBe(200);
    }
  });

  it('leaves an answer not checked for METRE_API_REVALIDATE_MS to the app, which checks it', async () => {
    const app = f.appWith({});
    await warm(app, MONTHLY);
    expect((await both(app, MONTHLY)).byFront).toBe(true);
    f.advance(1_001);
    const revalidated = await both(app, MONTHLY);
    expect(revalidated.byFront).toBe(false);
    expect(revalidated.front).toEqual(revalidated.plain);
    expect((await both(app, MONTHLY)).byFront).toBe(true);
  });

  it('leaves every request to the app when CORS is configured', async () => {
    const app = f.appWith({ api: { corsOrigins: ['https://dash.example.org'] } });
    await warm(app, MONTHLY);
    const origin = { origin: 'https://dash.example.org' };
    const { front, plain, byFront } = await both(app, MONTHLY, origin);
    expect(byFront).toBe(false);
    expect(front).toEqual(plain);
    expect(front.headers['access-control-allow-origin']).toBe('https://dash.example.org');
  });
});

describe('the front and the Host header', () => {
  it('answers a plain Host, and leaves any other to the app (which parses it)', async () => {
    for (const [host, byFront] of [
      ['metre.example.org', true],
      ['127.0.0.1:8080', true],
      ['127.0.0.1:61000', true],
      ['localhost', true],
      ['Metre.Example.org', false],
      ['127.1:80', false],
      ['[::1]:8080', false],
    ] as const) {
      await warm(f.app, MONTHLY); // checked just now (earlier tests moved the clock)
      const front = await serve(f.app, true);
      const plain = await serve(f.app, false);
      try {
        const a = await rawGet(front, MONTHLY, { host, 'x-request-id': 'host' });
        const b = await rawGet(plain, MONTHLY, { host, 'x-request-id': 'host' });
        expect(front.byFront, host).toEqual([byFront]);
        expect(a, host).toEqual(b);
      } finally {
        await front.close();
        await plain.close();
      }
    }
  });
});

describe('the front and a read token', () => {
  it('answers a request with the token, and leaves one without it to the app, which refuses it', async () => {
    const app = f.appWith({ api: { token: 'write-secret', readToken: 'read-secret' } });
    const authorized = { authorization: 'Bearer read-secret' };
    for (
      let i = 0;
      i < 200 && (await app.request(MONTHLY, { headers: authorized })).status !== 200;
      i++
    ) {
      await new Promise((done) => setTimeout(done, 20));
    }
    const ok = await both(app, MONTHLY, authorized);
    expect(ok.byFront).toBe(true);
    expect(ok.front).toEqual(ok.plain);
    expect(ok.front.status).toBe(200);
    const writer = await both(app, MONTHLY, { authorization: 'Bearer write-secret' });
    expect(writer.byFront).toBe(true);
    expect(writer.front.status).toBe(200);
    const refusals: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: 'read-secret' },
    ];
    for (const refused of refusals) {
      const { front, plain, byFront } = await both(app, MONTHLY, refused);
      expect(byFront).toBe(false);
      expect(front).toEqual(plain);
      expect(front.status).toBe(401);
      expect(front.headers['www-authenticate']).toBe('Bearer realm="metre"');
      expect(JSON.parse(front.body)).toMatchObject({ code: 'METRE_UNAUTHORIZED' });
    }
  });
});

describe('the front and the rate limit', () => {
  it('counts per client as the app does, from X-Forwarded-For behind a trusted proxy', async () => {
    const app = f.appWith({ api: { rateLimitPerMinute: 1, trustProxy: true } });
    await warm(app, MONTHLY);
    const front = await serve(app, true);
    try {
      const from = (ip: string) => ({ 'x-forwarded-for': `${ip}, 10.0.0.1` });
      expect((await get(front, MONTHLY, from('192.0.2.1'))).status).toBe(200);
      expect((await get(front, MONTHLY, from('192.0.2.1'))).status).toBe(429);
      expect((await get(front, MONTHLY, from('192.0.2.2'))).status).toBe(200);
      expect(front.byFront).toEqual([true, false, true]);
    } finally {
      await front.close();
    }
  });

  it('spends a token per answer, and leaves the refusal to the app, which answers 429', async () => {
    const app = f.appWith({ api: { rateLimitPerMinute: 4 } });
    await warm(app, MONTHLY); // in-process: the bucket of another client
    const front = await serve(app, true);
    const plain = await serve(app, false);
    try {
      const statuses = [];
      for (const served of [front, plain, front, plain, front]) {
        statuses.push((await get(served, MONTHLY)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect(front.byFront).toEqual([true, true, false]);
      const limited = await get(front, MONTHLY);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('15');
      expect(JSON.parse(limited.body)).toMatchObject({ code: 'METRE_RATE_LIMITED' });
      f.advance(15_000); // a token back (and the memo's answer due for a check: the app's)
      expect((await get(front, MONTHLY)).status).toBe(200);
      expect((await get(front, MONTHLY)).status).toBe(429);
      expect(front.byFront.slice(3)).toEqual([false, false, false]);
    } finally {
      await front.close();
      await plain.close();
    }
  });
});
