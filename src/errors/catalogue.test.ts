import { describe, expect, it } from 'vitest';
import { catalogue, MetreError, toMetreError } from './index.js';

describe('error catalogue', () => {
  it('has METRE_ codes with a status, an exit code and a message each', () => {
    for (const [code, entry] of Object.entries(catalogue)) {
      expect(code).toMatch(/^METRE_[A-Z_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.exit).toBeGreaterThan(0);
      expect(entry.message.length).toBeGreaterThan(3);
    }
  });

  it('takes status and exit code from the catalogue', () => {
    const error = new MetreError('METRE_STORE_LOCKED', 'held by pid 42');
    expect(error.status).toBe(503);
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe('held by pid 42');
  });

  it('wraps foreign errors without losing the cause', () => {
    const cause = new Error('boom');
    const wrapped = toMetreError(cause, 'METRE_STORE_FAILED');
    expect(wrapped.code).toBe('METRE_STORE_FAILED');
    expect(wrapped.cause).toBe(cause);
    expect(toMetreError(wrapped)).toBe(wrapped);
  });
});
