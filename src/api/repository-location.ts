import { defaultName, parseSource, type Source } from '../collect/index.js';
import { MetreError } from '../errors/index.js';

// C0 and C1 controls, DEL, zero-width and bidirectional formatting characters, BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const API_SCHEMES = new Set(['https', 'ssh', 'git']);
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Checks a repository location sent to the API, more strictly than the CLI: the collector's rules
 * (no leading `-`, no `transport::`, allowed schemes, local paths only when allowed), and also
 * printable ASCII only for URLs (IDN hosts in punycode, other characters percent-encoded), no
 * invisible or bidirectional characters anywhere, only the https, ssh and git schemes (or ssh's
 * `user@host:path`), and no credentials: a password, or a user name outside ssh, is refused
 * rather than stored.
 *
 * @example checkLocation('https://host/org/r.git', { allowLocal: false, cwd: '/' }).display
 */
export function checkLocation(
  input: string,
  options: { allowLocal: boolean; cwd: string },
): Source {
  if (INVISIBLE.test(input)) {
    throw new MetreError(
      'METRE_URL_INVALID',
      'A repository location must not contain control, invisible or bidirectional characters',
    );
  }
  const source = parseSource(input, options);
  if (source.kind === 'local') return source;
  if (!PRINTABLE_ASCII.test(source.url)) {
    throw new MetreError(
      'METRE_URL_INVALID',
      'A repository URL must be printable ASCII without spaces: percent-encode other characters and write international host names in punycode',
    );
  }
  const scheme = SCHEME.exec(source.url)?.[1]?.toLowerCase();
  if (scheme !== undefined && !API_SCHEMES.has(scheme)) {
    throw new MetreError(
      'METRE_URL_SCHEME_NOT_ALLOWED',
      `The scheme "${scheme}" is not allowed; use https, ssh or git`,
    );
  }
  if (scheme !== undefined) refuseCredentials(new URL(source.url), scheme);
  return source;
}

function refuseCredentials(url: URL, scheme: string): void {
  if (url.password !== '' || (url.username !== '' && scheme !== 'ssh')) {
    throw new MetreError(
      'METRE_URL_INVALID',
      'Credentials in a repository URL are not accepted (they would be stored); use an ssh key or a git credential helper on the workers',
    );
  }
}

/** The name a repository gets when none is given, made to fit the API's name rule. */
export function nameFor(source: Source): string {
  const name = defaultName(source)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100);
  return name === '' ? 'repository' : name;
}
