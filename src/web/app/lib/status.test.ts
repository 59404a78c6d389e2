import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import type { Repository } from '../api/types.js';
import { fieldErrors } from './field-errors.js';
import { isBusy, statusText } from './status.js';

const repo = (patch: Partial<Repository>): Repository => ({
  id: 'r',
  name: 'r',
  source: '/r',
  defaultBranch: 'main',
  head: null,
  status: 'up-to-date',
  lastError: null,
  lastCollectedAt: null,
  schedule: 'daily',
  dataVersion: 1,
  commits: 0,
  commitsAllRefs: 0,
  mergeCommits: 0,
  fileChanges: 0,
  collection: null,
  ...patch,
});

describe('a repository’s status in words', () => {
  it('says queued, collecting N of M, up to date or failed', () => {
    const waiting = { jobId: 'j', state: 'waiting', progress: null } as const;
    expect(statusText(repo({ status: 'new', collection: waiting }))).toBe('queued');
    expect(statusText(repo({ status: 'new' }))).toBe('queued');
    const active = {
      jobId: 'j',
      state: 'active',
      progress: { phase: 'commits', done: 1200, total: 5000 },
    } as const;
    expect(statusText(repo({ status: 'collecting-commits', collection: active }))).toMatch(
      /^collecting commits 1.200 of 5.000$/,
    );
    expect(statusText(repo({}))).toBe('up to date');
    expect(statusText(repo({ status: 'failed', lastError: 'x' }))).toBe('failed');
    expect(isBusy(repo({ collection: active }))).toBe(true);
    expect(isBusy(repo({ status: 'failed' }))).toBe(false);
  });
});

describe('the add form’s errors', () => {
  it('puts per-field errors next to their fields', () => {
    const error = new ApiError({
      status: 400,
      errors: [{ path: 'name', message: 'letters, digits' }],
    });
    expect(fieldErrors(error)).toEqual({ name: 'letters, digits' });
  });

  it('puts a URL problem under the URL field, anything else under the form', () => {
    const url = new ApiError({ status: 400, code: 'METRE_URL_INVALID', detail: 'no ext::' });
    expect(fieldErrors(url)).toEqual({ url: 'no ext::' });
    const other = new ApiError({ status: 503, code: 'METRE_STORE_UNAVAILABLE', title: 'down' });
    expect(fieldErrors(other)).toEqual({ form: 'down' });
  });
});
