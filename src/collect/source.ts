import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetreError } from '../errors/index.js';

/** Where a repository is collected from, after validation. */
export type Source =
  | {
      readonly kind: 'local';
      /** Absolute path of the working tree or bare repository. */
      readonly path: string;
      /** What is stored and shown: the path itself. */
      readonly display: string;
    }
  | {
      readonly kind: 'remote';
      /** The URL as given, credentials included: used for this run only, never stored. */
      readonly url: string;
      /** The URL without credentials: what is stored, logged and shown. */
      readonly display: string;
    };

const MAX_LENGTH = 2048;
const REMOTE_SCHEMES = new Set(['https', 'ssh', 'git', 'git+ssh', 'ssh+git']);
/** The protocols git may speak to a remote; `ext` and friends are never among them. */
export const REMOTE_PROTOCOLS: readonly string[] = ['https', 'ssh', 'git'];
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const SCP_LIKE = /^[a-z0-9._][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*:(?!\/\/)/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Validates a repository location given by a user and classifies it. Rejects option injection
 * (a leading `-`), git's `transport::address` syntax (`ext::sh -c …`), control characters,
 * schemes other than https, ssh and git, and local paths unless they are allowed.
 *
 * @example parseSource('https://user:tok@host/r.git', { allowLocal: false, cwd: '/' }).display
 *   === 'https://host/r.git'
 */
export function parseSource(input: string, options: { allowLocal: boolean; cwd: string }): Source {
  const text = input.trim();
  if (text === '' || text.length > MAX_LENGTH) {
    throw new MetreError(
      'METRE_URL_INVALID',
      `A repository location must be 1 to ${MAX_LENGTH} characters`,
    );
  }
  if (text.startsWith('-')) {
    throw new MetreError(
      'METRE_URL_INVALID',
      `A repository location must not start with "-": ${text}`,
    );
  }
  if (CONTROL.test(text)) {
    throw new MetreError(
      'METRE_URL_INVALID',
      'A repository location must not contain control characters',
    );
  }
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'file') return local(fileUrlPath(text), options);
  if (scheme !== undefined) return remote(text, scheme);
  if (/^[a-z0-9+.-]+::/i.test(text)) {
    throw new MetreError(
      'METRE_URL_SCHEME_NOT_ALLOWED',
      `git transports like "${text.split('::')[0]}::" are not allowed`,
    );
  }
  if (SCP_LIKE.test(text)) return { kind: 'remote', url: text, display: text };
  return local(text, options);
}

function fileUrlPath(text: string): string {
  try {
    return fileURLToPath(text);
  } catch {
    throw new MetreError('METRE_URL_INVALID', `Not a valid file URL: ${text}`);
  }
}

function local(path: string, options: { allowLocal: boolean; cwd: string }): Source {
  if (!options.allowLocal) {
    throw new MetreError(
      'METRE_LOCAL_PATH_NOT_ALLOWED',
      'Local paths are not allowed here; set METRE_ALLOW_LOCAL=1 to allow them',
    );
  }
  const absolute = resolve(options.cwd, path);
  return { kind: 'local', path: absolute, display: absolute };
}

function remote(text: string, scheme: string): Source {
  if (!REMOTE_SCHEMES.has(scheme)) {
    throw new MetreError(
      'METRE_URL_SCHEME_NOT_ALLOWED',
      `The scheme "${scheme}" is not allowed; use https, ssh or git`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MetreError('METRE_URL_INVALID', `Not a valid URL: ${redactCredentials(text)}`);
  }
  if (!/^[a-z0-9[]/i.test(url.hostname) || url.username.startsWith('-')) {
    throw new MetreError('METRE_URL_INVALID', `Not a valid host in: ${url.host}`);
  }
  url.username = '';
  url.password = '';
  return { kind: 'remote', url: text, display: url.toString() };
}

/** Removes `user:password@` from anything that looks like a URL. */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1');
}

/** The name a repository gets when none is given: its last path segment without `.git`. */
export function defaultName(source: Source): string {
  const path = source.kind === 'local' ? source.path : source.display.replace(/[?#].*$/, '');
  const last = basename(path.replace(/[/:]+$/, '').replace(/^.*:/, '')).replace(/\.git$/, '');
  return last === '' ? 'repository' : last;
}

/** A stable folder name for a remote's mirror: readable, and unique per URL. */
export function mirrorFolderName(source: Source): string {
  const hash = createHash('sha256').update(source.display).digest('hex').slice(0, 12);
  const readable = defaultName(source)
    .replace(/[^a-z0-9._-]+/gi, '_')
    .slice(0, 60);
  return `${readable}-${hash}.git`;
}
