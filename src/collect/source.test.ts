import { describe, expect, it } from 'vitest';
import { isMetreError, type ErrorCode } from '../errors/index.js';
import { defaultName, mirrorFolderName, parseSource } from './source.js';

const remoteOnly = { allowLocal: false, cwd: '/work' };
const withLocal = { allowLocal: true, cwd: '/work' };

function codeOf(input: string, options = remoteOnly): ErrorCode | undefined {
  try {
    parseSource(input, options);
    return undefined;
  } catch (error) {
    if (isMetreError(error)) return error.code;
    throw error;
  }
}

describe('parseSource', () => {
  it('accepts https, ssh, git and scp-like URLs', () => {
    expect(parseSource('https://example.org/a/b.git', remoteOnly)).toMatchObject({
      kind: 'remote',
    });
    expect(parseSource('ssh://git@example.org/a/b.git', remoteOnly)).toMatchObject({
      kind: 'remote',
    });
    expect(parseSource('git://example.org/b.git', remoteOnly)).toMatchObject({ kind: 'remote' });
    expect(parseSource('git@example.org:a/b.git', remoteOnly)).toMatchObject({ kind: 'remote' });
  });

  it('keeps credentials for the run but never in what is displayed', () => {
    const source = parseSource('https://ada:s3cret@example.org/r.git', remoteOnly);
    expect(source).toMatchObject({ url: 'https://ada:s3cret@example.org/r.git' });
    expect(source.display).toBe('https://example.org/r.git');
  });

  it.each([
    ['-uhttps://example.org/r.git', 'METRE_URL_INVALID'],
    ['--upload-pack=touch /tmp/x', 'METRE_URL_INVALID'],
    ['ext::sh -c touch% /tmp/pwned', 'METRE_URL_SCHEME_NOT_ALLOWED'],
    ['fd::17/foo', 'METRE_URL_SCHEME_NOT_ALLOWED'],
    ['http://example.org/r.git', 'METRE_URL_SCHEME_NOT_ALLOWED'],
    ['ftp://example.org/r.git', 'METRE_URL_SCHEME_NOT_ALLOWED'],
    ['javascript://alert(1)', 'METRE_URL_SCHEME_NOT_ALLOWED'],
    ['ssh://-oProxyCommand=touch%20x/r', 'METRE_URL_INVALID'],
    ['git@-oProxyCommand=x:r', 'METRE_LOCAL_PATH_NOT_ALLOWED'],
    ['https://example.org/r\n.git', 'METRE_URL_INVALID'],
    ['', 'METRE_URL_INVALID'],
    ['https://example.org/' + 'a'.repeat(3000), 'METRE_URL_INVALID'],
    ['/etc', 'METRE_LOCAL_PATH_NOT_ALLOWED'],
    ['file:///etc', 'METRE_LOCAL_PATH_NOT_ALLOWED'],
    ['../relative', 'METRE_LOCAL_PATH_NOT_ALLOWED'],
  ] as const)('rejects %j with %s', (input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it('resolves local paths and file URLs when allowed', () => {
    expect(parseSource('repo', withLocal)).toEqual({
      kind: 'local',
      path: '/work/repo',
      display: '/work/repo',
    });
    expect(parseSource('file:///srv/r.git', withLocal)).toMatchObject({
      kind: 'local',
      path: '/srv/r.git',
    });
  });
});

describe('names', () => {
  it('derives a name from the last segment without .git', () => {
    expect(defaultName(parseSource('https://example.org/org/metre.git', remoteOnly))).toBe('metre');
    expect(defaultName(parseSource('git@example.org:org/tool.git', remoteOnly))).toBe('tool');
    expect(defaultName(parseSource('/src/project/', withLocal))).toBe('project');
  });

  it('gives distinct mirror folders to URLs with the same last segment', () => {
    const a = mirrorFolderName(parseSource('https://a.example/x/r.git', remoteOnly));
    const b = mirrorFolderName(parseSource('https://b.example/x/r.git', remoteOnly));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^r-[0-9a-f]{12}\.git$/);
  });
});
