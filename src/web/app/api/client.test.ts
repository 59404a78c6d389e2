import { describe, expect, it } from 'vitest';
import { Api, ApiError, metricQuery } from './client.js';

/** A fetch that answers from a script of responses and records what was asked. */
function scripted(answers: readonly (() => Response)[]) {
  const asked: { url: string; method: string; body: unknown }[] = [];
  let i = 0;
  const fetchFn = async (url: string, init?: RequestInit) => {
    asked.push({ url, method: init?.method ?? 'GET', body: init?.body });
    const answer = answers[Math.min(i++, answers.length - 1)];
    if (answer === undefined) throw new Error('no answer scripted');
    return answer();
  };
  return { asked, fetchFn };
}

const json =
  (status: number, body: unknown, type = 'application/json') =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

const result = {
  metric: 'commits',
  cached: true,
  stale: false,
  result: { kind: 'scalar', value: 3 },
};
const job = (state: string) => ({ id: 'j1', name: 'compute', state, progress: null, error: null });

describe('the API client', () => {
  it('puts repositories and parameters in the query string, leaving empty ones out', () => {
    expect(metricQuery(['a', 'b'], { granularity: 'week', from: '', to: undefined })).toBe(
      'repo=a&repo=b&granularity=week',
    );
  });

  it('answers a cached result at once', async () => {
    const { asked, fetchFn } = scripted([json(200, result)]);
    const api = new Api('/api', fetchFn);
    await expect(api.metric('commits', ['r1'])).resolves.toEqual(result);
    expect(asked.map((a) => a.url)).toEqual(['/api/metrics/commits?repo=r1']);
  });

  it('polls the job of a 202 until it completes, then asks again', async () => {
    const { asked, fetchFn } = scripted([
      json(202, { job: job('waiting'), poll: '/api/jobs/j1' }),
      json(200, job('active')),
      json(200, job('completed')),
      json(200, result),
    ]);
    const states: string[] = [];
    const api = new Api('/api', fetchFn);
    const answer = await api.metric('commits', ['r1'], {}, { onJob: (j) => states.push(j.state) });
    expect(answer).toEqual(result);
    expect(states).toEqual(['waiting', 'active', 'completed']);
    expect(asked.map((a) => a.url)).toEqual([
      '/api/metrics/commits?repo=r1',
      '/api/jobs/j1',
      '/api/jobs/j1',
      '/api/metrics/commits?repo=r1',
    ]);
  });

  it('rejects with the job’s reason when it fails', async () => {
    const failed = { ...job('failed'), error: 'METRE_STORE_FAILED: boom' };
    const { fetchFn } = scripted([json(202, { job: job('waiting') }), json(200, failed)]);
    const error = await new Api('/api', fetchFn).metric('commits', ['r1']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('METRE_STORE_FAILED: boom');
  });

  it('turns a problem+json answer into an ApiError with its code and detail', async () => {
    const problem = {
      type: 'urn:metre:error:METRE_URL_INVALID',
      title: 'Invalid repository URL',
      status: 400,
      detail: 'no ext:: transports',
      code: 'METRE_URL_INVALID',
    };
    const { asked, fetchFn } = scripted([json(400, problem, 'application/problem+json')]);
    const error = await new Api('/api', fetchFn)
      .addRepository({ url: 'ext::sh' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('METRE_URL_INVALID');
    expect((error as ApiError).message).toBe('no ext:: transports');
    expect(asked[0]).toMatchObject({ method: 'POST', body: '{"url":"ext::sh"}' });
  });

  it('reads every page of the repository list', async () => {
    const { asked, fetchFn } = scripted([
      json(200, { items: [{ id: 'a' }, { id: 'b' }], total: 3 }),
      json(200, { items: [{ id: 'c' }], total: 3 }),
    ]);
    const repos = await new Api('/api', fetchFn).repositories();
    expect(repos.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(asked.map((a) => a.url)).toEqual([
      '/api/repositories?limit=500&offset=0',
      '/api/repositories?limit=500&offset=2',
    ]);
  });

  it('reads lists from their items', async () => {
    const { fetchFn } = scripted([json(200, { items: [{ id: 'commits' }] })]);
    await expect(new Api('/api', fetchFn).catalogue()).resolves.toEqual([{ id: 'commits' }]);
  });
});
