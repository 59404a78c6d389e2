import { describe, expect, it } from 'vitest';
import { MetreError } from '../errors/index.js';
import { registry } from '../metrics/index.js';
import { collectJobId, computeJobId, defaultMetricRequests, isPermanent } from './index.js';

describe('permanent failures', () => {
  it('tells a repository that cannot exist from an outage worth retrying', () => {
    const permanent = [
      new MetreError('METRE_REPO_NOT_FOUND', 'No such file or directory: /gone'),
      new MetreError('METRE_NOT_A_GIT_REPO', 'not a git repository'),
      new MetreError('METRE_URL_INVALID', 'bad'),
      new MetreError('METRE_REPO_UNREACHABLE', "repository 'https://h/x.git/' not found"),
      new MetreError('METRE_REPO_UNREACHABLE', "Authentication failed for 'https://h/x.git/'"),
      new MetreError('METRE_REPO_UNREACHABLE', 'could not read Username for https://h'),
      new MetreError(
        'METRE_GIT_FAILED',
        'remote error: access denied or repository not exported: /x',
      ),
      new MetreError('METRE_METRIC_UNKNOWN', 'Unknown metric "x"'),
      new MetreError('METRE_PARAM_INVALID', 'granularity'),
    ];
    const transient = [
      new MetreError('METRE_REPO_UNREACHABLE', 'Could not resolve host: github.com'),
      new MetreError(
        'METRE_REPO_UNREACHABLE',
        'Failed to connect to h port 443: Connection refused',
      ),
      new MetreError('METRE_STORE_UNAVAILABLE', 'The store is unavailable'),
      new MetreError('METRE_GIT_TIMEOUT', 'git timed out'),
      new Error('socket hang up'),
    ];
    expect(permanent.map(isPermanent)).toEqual(permanent.map(() => true));
    expect(transient.map(isPermanent)).toEqual(transient.map(() => false));
  });
});

describe('job ids', () => {
  it('deduplicate the same request whatever the order of its repositories and parameters', () => {
    expect(collectJobId('r1')).toBe('collect:r1');
    const a = computeJobId({ metric: 'commits', repositories: ['b', 'a'], params: { x: 1, y: 2 } });
    const b = computeJobId({ metric: 'commits', repositories: ['a', 'b'], params: { y: 2, x: 1 } });
    expect(a).toBe(b);
    expect(a).toMatch(/^compute:[0-9a-f]{24}$/);
    expect(computeJobId({ metric: 'commits', repositories: ['a'], params: {} })).not.toBe(a);
  });

  it('precompute every metric of the catalogue with its default parameters', () => {
    const requests = defaultMetricRequests('r1');
    expect(requests.map((r) => r.metric)).toEqual(registry.map((m) => m.id));
    expect(
      requests.every((r) => r.repositories.join() === 'r1' && Object.keys(r.params).length === 0),
    ).toBe(true);
  });
});
