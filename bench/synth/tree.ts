import { type Flavor, WORDS, newLines } from './content.js';
import { quotePath } from './fast-import-stream.js';
import { type Random, at, cumulate } from './random.js';

export type FileKind = 'text' | 'binary' | 'link';
export type FileMode = '100644' | '100755' | '120000';

/**
 * One file of the working tree. Text is held as line seeds, binary and link content as a seed:
 * the bytes are derived when the file is written, so the whole tree costs a few megabytes.
 */
export interface FileState {
  /** The raw path bytes, one char per byte (latin1), so non-UTF-8 names survive. */
  path: string;
  /** The path as written in the fast-import stream (C-quoted when needed). */
  quoted: string;
  kind: FileKind;
  flavor: Flavor;
  mode: FileMode;
  lines: number[];
  seed: number;
  size: number;
  finalNewline: boolean;
  /** The feature branch that has it checked out (only that branch may change it), or -1. */
  owner: number;
  /** Index of the last main commit that wrote it: branches started earlier must not take it. */
  changedAt: number;
  /** Files bots maintain: never deleted or renamed, never taken by a feature branch. */
  pinned: boolean;
  /** Position in the tree's array, for O(1) removal. */
  index: number;
}

export interface FileSpec {
  readonly kind: FileKind;
  readonly flavor: Flavor;
  readonly mode: FileMode;
}

interface Extension extends FileSpec {
  readonly ext: string;
  readonly weight: number;
}

const ext = (name: string, weight: number, flavor: Flavor, kind: FileKind = 'text'): Extension => ({
  ext: name,
  weight,
  kind,
  flavor,
  mode: name === 'sh' ? '100755' : '100644',
});

const EXTENSIONS: readonly Extension[] = [
  ext('ts', 22, 'ts'),
  ext('tsx', 4, 'ts'),
  ext('js', 8, 'ts'),
  ext('py', 12, 'py'),
  ext('c', 6, 'c'),
  ext('h', 4, 'c'),
  ext('go', 4, 'c'),
  ext('rs', 4, 'c'),
  ext('md', 8, 'prose'),
  ext('txt', 3, 'prose'),
  ext('rst', 1, 'prose'),
  ext('json', 5, 'json'),
  ext('yml', 3, 'yaml'),
  ext('toml', 1, 'yaml'),
  ext('css', 3, 'markup'),
  ext('html', 2, 'markup'),
  ext('sh', 2, 'sh'),
  ext('png', 2, 'prose', 'binary'),
  ext('ico', 0.5, 'prose', 'binary'),
  ext('woff2', 0.5, 'prose', 'binary'),
  ext('bin', 1, 'prose', 'binary'),
  ext('pdf', 0.5, 'prose', 'binary'),
];

const EXTENSION_WEIGHTS = cumulate(EXTENSIONS.map((e) => e.weight));

const LINK: FileSpec = { kind: 'link', flavor: 'prose', mode: '120000' };

const FILES_PER_DIR = 8;

const INITIAL_DIRS = [
  'src/core',
  'src/util',
  'lib',
  'test/unit',
  'docs',
  'scripts',
  'assets',
  'include',
  'packages/cli/src',
  'packages/server/src',
];

/** The spec of a file named `name`, from its extension (text prose when unknown). */
export function specOf(name: string): FileSpec {
  const dot = name.lastIndexOf('.');
  const found = EXTENSIONS.find((e) => e.ext === name.slice(dot + 1));
  return dot > 0 && found ? found : ext('txt', 0, 'prose');
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function join(dir: string, base: string): string {
  return dir === '' ? base : `${dir}/${base}`;
}

/**
 * The working tree of the synthetic project: a growing set of files in nested directories.
 * Directory names never contain a dot and file names always do (or are all-caps like
 * `LICENSE`), so a file path can never collide with a directory.
 */
export class Tree {
  readonly #rng: Random;
  /** The size the tree grows to; directories stop multiplying once there is one per eight files. */
  readonly #maxFiles: number;
  readonly #files: FileState[] = [];
  /** Paths in use, including those a feature branch deleted but main still has. */
  readonly #paths = new Set<string>();
  /** Directories new files go to: all but the root, which keeps its few entries as in real projects. */
  readonly #dirs: string[] = [];
  readonly #dirSet = new Set<string>(['']);

  constructor(rng: Random, maxFiles: number) {
    this.#rng = rng;
    this.#maxFiles = maxFiles;
    for (const dir of INITIAL_DIRS) this.#addDir(dir);
  }

  /** Every file, in a stable order. */
  get files(): readonly FileState[] {
    return this.#files;
  }

  get size(): number {
    return this.#files.length;
  }

  has(path: string): boolean {
    return this.#paths.has(path);
  }

  /** Adds a file at `path` (raw bytes, latin1) with fresh content. */
  add(path: string, spec: FileSpec, lineCount?: number): FileState {
    if (this.#paths.has(path)) throw new Error(`path already in use: ${JSON.stringify(path)}`);
    const rng = this.#rng;
    const count =
      lineCount ?? (rng.chance(0.02) ? 0 : 1 + Math.min(400, Math.floor(rng.exponential(40))));
    const file: FileState = {
      path,
      quoted: quotePath(path),
      ...spec,
      lines: spec.kind === 'text' ? newLines(rng, count) : [],
      seed: rng.seed(),
      size: rng.between(200, 4000),
      finalNewline: !rng.chance(0.03),
      owner: -1,
      changedAt: -1,
      pinned: false,
      index: this.#files.length,
    };
    this.#files.push(file);
    this.#paths.add(path);
    this.#addDir(dirOf(path));
    return file;
  }

  /** A new file with a fresh name, in an existing or a new directory. */
  create(): FileState {
    const rng = this.#rng;
    if (rng.chance(0.01)) return this.add(this.#freshPath(this.dirFor(), 'md'), LINK);
    const spec = at(EXTENSIONS, rng.weighted(EXTENSION_WEIGHTS));
    return this.add(this.#freshPath(this.dirFor(), spec.ext), spec);
  }

  /** Removes `file`; with `keepPath` its path stays reserved until `release`. */
  remove(file: FileState, keepPath = false): void {
    const last = this.#files.pop();
    if (last === undefined) throw new Error('remove from an empty tree');
    if (last !== file) {
      this.#files[file.index] = last;
      last.index = file.index;
    }
    if (!keepPath) this.#paths.delete(file.path);
  }

  release(path: string): void {
    this.#paths.delete(path);
  }

  /** Moves `file` to a new path (same directory new name, or same name another directory). */
  move(file: FileState, keepOldPath = false): void {
    const rng = this.#rng;
    const base = baseOf(file.path);
    const dot = base.lastIndexOf('.');
    const moved = join(this.dirFor(), base);
    const target =
      !this.#paths.has(moved) && rng.chance(0.5)
        ? moved
        : this.#freshPath(dirOf(file.path), dot > 0 ? base.slice(dot + 1) : 'txt');
    if (!keepOldPath) this.#paths.delete(file.path);
    file.path = target;
    file.quoted = quotePath(target);
    this.#paths.add(target);
    this.#addDir(dirOf(target));
  }

  /** A random file that `accept`s, or undefined after a few misses. */
  pick(accept: (file: FileState) => boolean): FileState | undefined {
    for (let attempt = 0; attempt < 24 && this.#files.length > 0; attempt++) {
      const file = this.#rng.pick(this.#files);
      if (accept(file)) return file;
    }
    return undefined;
  }

  /** A directory for a new file: an existing one, or now and then a new one inside it. */
  dirFor(): string {
    const rng = this.#rng;
    const parent = rng.pick(this.#dirs);
    const full = this.#dirs.length * FILES_PER_DIR >= this.#maxFiles;
    if (full || !rng.chance(0.1) || parent.split('/').length >= 5) return parent;
    const name = rng.chance(0.5) ? rng.pick(WORDS) : `${rng.pick(WORDS)}-${rng.pick(WORDS)}`;
    return join(parent, name);
  }

  #freshPath(dir: string, extension: string): string {
    const rng = this.#rng;
    for (;;) {
      let base = rng.pick(WORDS);
      if (rng.chance(0.4)) base += `-${rng.pick(WORDS)}`;
      if (rng.chance(0.3)) base += String(rng.int(100));
      const path = join(dir, `${base}.${extension}`);
      if (!this.#paths.has(path)) return path;
    }
  }

  #addDir(dir: string): void {
    if (this.#dirSet.has(dir)) return;
    this.#addDir(dirOf(dir));
    this.#dirSet.add(dir);
    this.#dirs.push(dir);
  }
}
