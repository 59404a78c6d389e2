import { describe, expect, it } from 'vitest';
import { decodePath, subjectOf } from './index.js';

describe('subjectOf', () => {
  it('joins the first paragraph like git %s', () => {
    expect(subjectOf('fix the parser\nin two lines  \n\nbody\n')).toBe(
      'fix the parser in two lines',
    );
    expect(subjectOf('\n\nleading blank lines\n')).toBe('leading blank lines');
    expect(subjectOf('')).toBe('');
  });
});

describe('decodePath', () => {
  it('keeps valid UTF-8, including a leading byte-order mark', () => {
    expect(decodePath(Buffer.from('dir/caf\u00e9 \u6587.txt'))).toBe('dir/caf\u00e9 \u6587.txt');
    expect(decodePath(Buffer.from('\ufeffname'))).toBe('\ufeffname');
  });

  it('escapes names that are not UTF-8 so that distinct names stay distinct', () => {
    const latin1 = decodePath(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    const other = decodePath(Buffer.from([0x63, 0x61, 0x66, 0xe8]));
    expect(latin1).toBe('caf\\xe9');
    expect(latin1).not.toBe(other);
    expect(decodePath(Buffer.from([0x5c, 0xff]))).toBe('\\\\\\xff');
  });
});
