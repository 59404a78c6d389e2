import { pino, type Level } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  loggerLine,
  pinoFormatLine,
  type RequestFacts,
  type RequestLine,
} from '../../src/api/request-log.js';

/**
 * `pinoFormatLine` writes a request's line itself, for speed, where pino would: it must write the
 * very bytes pino writes for the same request through a logger of the same level and bindings.
 */

const TIME = 1_795_873_890_734;

/** Lines written by pino's own logger, and by `pinoFormatLine` for the same logger. */
function both(level: Level | 'silent', bindings: Record<string, string | number>) {
  const byPino: string[] = [];
  const byHand: string[] = [];
  const logger = pino(
    { level, base: bindings, timestamp: () => `,"time":${TIME}` },
    { write: (line: string) => void byPino.push(line) },
  );
  const hand: RequestLine = pinoFormatLine({
    info: logger.isLevelEnabled('info'),
    error: logger.isLevelEnabled('error'),
    bindings,
    write: (line) => void byHand.push(line),
    now: () => TIME,
  });
  return { pino: loggerLine(logger), hand, byPino, byHand };
}

const FACTS: RequestFacts[] = [
  {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    method: 'GET',
    path: '/api/metrics/commits',
    status: 200,
    ms: 0.0472,
  },
  { id: 'trace-42', method: 'GET', path: '/healthz', status: 304, ms: 12 },
  {
    id: 'x',
    method: 'POST',
    path: '/api/repositories',
    status: 400,
    ms: 1.005,
    code: 'METRE_URL_INVALID',
  },
  {
    id: 'x',
    method: 'DELETE',
    path: '/api/repositories/"quoted"\\back',
    status: 404,
    ms: 3.14159,
    code: 'METRE_NOT_FOUND',
  },
  {
    id: 'y',
    method: 'GET',
    path: '/api/jobs/\u0001\u001f\u007f',
    status: 500,
    ms: 250.5,
    code: 'METRE_INTERNAL',
    error: 'disk "full"\n\tat line 2',
  },
  {
    id: 'y',
    method: 'GET',
    path: '/api/ünïcödé/\u2028\u2029/日本/🙂',
    status: 502,
    ms: 0,
    error: 'é'.repeat(120),
  },
  { id: 'z', method: 'GET', path: `/api/${'long/'.repeat(80)}`, status: 200, ms: 99999.999 },
  {
    id: 'z',
    method: 'PATCH',
    path: '/api/repositories/https://user:secret@example.com/x',
    status: 422,
    ms: 0.004,
    code: 'METRE_REQUEST_INVALID',
  },
  {
    id: 'z',
    method: 'GET',
    path: '/metrics',
    status: 503,
    ms: -0,
    code: 'METRE_QUEUE_UNAVAILABLE',
  },
];

/** No base at all, and one with a value to escape. */
const BINDINGS: Record<string, string | number>[] = [{}, { role: 'api', pid: 1, host: 'a "b"' }];

describe('pinoFormatLine', () => {
  it('writes byte for byte what pino writes, for every kind of request line', () => {
    const { pino: viaPino, hand, byPino, byHand } = both('info', { role: 'api', pid: 4242 });
    for (const facts of FACTS) {
      viaPino(facts);
      hand(facts);
    }
    expect(byPino).toHaveLength(FACTS.length);
    expect(byHand).toEqual(byPino);
    // What the lines say, read back: the failures at error level, credentials gone.
    const read = byHand.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(read[0]).toEqual({
      level: 30,
      time: TIME,
      role: 'api',
      pid: 4242,
      reqId: 'a1b2c3d4-0000-4000-8000-000000000001',
      method: 'GET',
      path: '/api/metrics/commits',
      status: 200,
      ms: 0.05,
      msg: 'request',
    });
    expect(read[4]).toMatchObject({
      level: 50,
      msg: 'request failed',
      error: 'disk "full"\n\tat line 2',
    });
    expect(byHand.join('')).not.toContain('secret');
    expect(byHand.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(
      true,
    );
  });

  it('writes what the logger level lets through, and the bindings the logger has', () => {
    for (const level of ['error', 'silent', 'debug'] as const) {
      for (const bindings of BINDINGS) {
        const { pino: viaPino, hand, byPino, byHand } = both(level, bindings);
        for (const facts of FACTS) {
          viaPino(facts);
          hand(facts);
        }
        expect(byHand, `${level} ${JSON.stringify(bindings)}`).toEqual(byPino);
        const failures = FACTS.filter((facts) => facts.status >= 500).length;
        const expected = { error: failures, silent: 0, debug: FACTS.length }[level];
        expect(byHand).toHaveLength(expected);
      }
    }
  });
});
