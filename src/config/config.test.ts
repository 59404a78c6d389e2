import { describe, expect, it } from 'vitest';
import { isMetreError } from '../errors/index.js';
import { loadConfig } from './index.js';

describe('loadConfig', () => {
  it('defaults to the XDG data directory and an embedded DuckDB store', () => {
    const config = loadConfig({ HOME: '/home/ada' });
    expect(config.home).toBe('/home/ada/.local/share/metre');
    expect(config.store).toBe('duckdb:/home/ada/.local/share/metre/metre.duckdb');
    expect(config.collect.mirrorsDir).toBe('/home/ada/.local/share/metre/mirrors');
    expect(config.collect.allowLocal).toBe(false);
  });

  it('lets METRE_HOME, METRE_STORE and flags override, flags last', () => {
    const config = loadConfig(
      { HOME: '/h', METRE_HOME: '/m', METRE_STORE: 'duckdb:/x.duckdb', METRE_ALLOW_LOCAL: '1' },
      { store: 'duckdb:/y.duckdb' },
    );
    expect(config.home).toBe('/m');
    expect(config.store).toBe('duckdb:/y.duckdb');
    expect(config.collect.allowLocal).toBe(true);
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({ HOME: '/h' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.git)).toBe(true);
  });

  it('rejects invalid values with a coded error naming the variable', () => {
    try {
      loadConfig({ HOME: '/h', METRE_BATCH_SIZE: 'lots' });
      expect.unreachable();
    } catch (error) {
      expect(isMetreError(error, 'METRE_CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('METRE_BATCH_SIZE');
    }
  });
});
