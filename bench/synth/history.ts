import { WORDS, binaryOf, editLines, linkTargetOf, newLines, textOf } from './content.js';
import { type FastImportStream, quotePath } from './fast-import-stream.js';
import * as text from './messages.js';
import {
  type BotName,
  type Identity,
  People,
  type Person,
  type Signature,
  UTC_ZONE,
  WEB_FLOW,
  bot,
  sign,
} from './people.js';
import { Random, at, cumulate } from './random.js';
import { type FileSpec, type FileState, Tree, specOf } from './tree.js';

/** Everything that shapes the history; the same settings give the same bytes. */
export interface HistorySettings {
  readonly commits: number;
  readonly seed: number;
  readonly authors: number;
  readonly branches: number;
  readonly mergeRatio: number;
  readonly tagEvery: number;
  readonly years: number;
  readonly start: number;
  readonly maxFiles: number;
  readonly oddNames: boolean;
  readonly timezones: boolean;
}

type Change =
  | { readonly op: 'M'; readonly file: FileState }
  | { readonly op: 'D'; readonly path: string }
  | { readonly op: 'R'; readonly from: string; readonly to: string; readonly file: FileState };

/** What a feature branch did to one path, replayed onto main by the merge. */
interface Touch {
  /** The file now at this path on the branch; undefined once deleted or renamed away. */
  file: FileState | undefined;
  /** True when the path did not exist on main (so the merge need not delete it). */
  readonly added: boolean;
}

/** The files bots maintain. */
interface Pinned {
  readonly manifest: FileState;
  readonly lock: FileState;
  readonly changelog: FileState;
}

interface Feature {
  readonly pr: number;
  /** Index of its first commit: it sees main as it was before that. */
  readonly branchPoint: number;
  readonly topic: string;
  readonly title: string;
  readonly owner: Person;
  readonly touched: Map<string, Touch>;
  remaining: number;
  started: boolean;
}

const utf8 = (value: string): string => Buffer.from(value, 'utf8').toString('latin1');

/** Paths every tool gets wrong once; added one per commit at the start when `oddNames` is on. */
const ODD_PATHS: readonly string[] = [
  'docs/release notes.md',
  'docs/say "hello".md',
  'data/tab\tseparated.txt',
  'data/line\nbreak.txt',
  utf8('docs/résumé café.md'),
  utf8('i18n/日本語.txt'),
  utf8('assets/emoji 🎉.md'),
  'legacy/caf\xe9.txt', // a Latin-1 byte: not valid UTF-8
  'legacy/\xff\xfe raw.bin',
  '"quoted-start.txt',
  'scripts/-rf.sh',
  'back\\slash.txt',
  'dir with space/file.ts',
  ' leading space.md',
  'trailing space .md',
];

/** The human commit (1-based) written in Latin-1 with an `encoding` header, and the one with invalid UTF-8. */
const LATIN1_COMMIT = 5;
const INVALID_UTF8_COMMIT = 9;
/** Empty commits are random and rare; this one makes sure even a small history has one. */
const FIRST_EMPTY_COMMIT = 25;
const LATIN1_AUTHOR: Identity = { name: 'Hélène Bérubé', email: 'helene@example.fr' };

const MAIN = 'refs/heads/main';

const FILES_PER_COMMIT = cumulate([45, 25, 15, 9, 6]);

const TEXT: FileSpec = { kind: 'text', flavor: 'prose', mode: '100644' };
const JSON_FILE: FileSpec = { kind: 'text', flavor: 'json', mode: '100644' };

/**
 * Writes a whole synthetic history into a fast-import stream: a main line with feature branches
 * merged back, bots, tags, renames, deletions, binary files and odd names. All randomness comes
 * from one seeded generator, so the same settings give the same commits and shas.
 */
export class History {
  readonly #stream: FastImportStream;
  readonly #settings: HistorySettings;
  readonly #rng: Random;
  readonly #people: People;
  readonly #tree: Tree;
  readonly #features: Feature[] = [];
  /** Paths gone from main that a branch started earlier still has: not reusable yet. */
  readonly #tombstones: { readonly path: string; readonly at: number }[] = [];
  readonly #averageStep: number;
  #clock: number;
  #written = 0;
  #humanCommits = 0;
  #startedFeatures = 0;
  #lastPr = 0;
  #tags = 0;
  #nextTag: number;
  #version = [0, 0, 0];
  readonly #pinned: Pinned;

  constructor(stream: FastImportStream, settings: HistorySettings) {
    this.#stream = stream;
    this.#settings = settings;
    this.#rng = new Random(settings.seed);
    this.#people = new People(this.#rng, settings.authors, settings.timezones);
    this.#tree = new Tree(this.#rng, settings.maxFiles);
    this.#clock = settings.start;
    this.#averageStep = (settings.years * 365.25 * 86_400) / settings.commits;
    this.#nextTag = this.#tagGap();
    this.#pinned = this.#skeleton();
  }

  /** Streams every commit, then `done`. */
  async write(): Promise<void> {
    this.#initialCommit();
    while (this.#written < this.#settings.commits) {
      this.#step();
      this.#releaseTombstones();
      this.#maybeTag();
      await this.#stream.flush();
    }
    await this.#stream.finish();
  }

  #step(): void {
    const rng = this.#rng;
    if (this.#written === FIRST_EMPTY_COMMIT) return this.#emptyCommit();
    const ready = this.#features.filter((f) => f.remaining === 0);
    if (ready.length > 0 && rng.chance(0.35)) return this.#merge(ready);
    const working = this.#features.filter((f) => f.remaining > 0);
    if (working.length > 0 && rng.chance(0.4)) return this.#featureCommit(rng.pick(working));
    if (this.#shouldBranch()) return this.#featureCommit(this.#startFeature());
    const r = rng.float();
    if (r < 0.012) return this.#emptyCommit();
    if (r < 0.042) return this.#botCommit();
    this.#humanCommit();
  }

  // ---- main line ---------------------------------------------------------------------------

  #skeleton(): Pinned {
    const tree = this.#tree;
    const pin = (file: FileState): FileState => Object.assign(file, { pinned: true });
    tree.add('README.md', TEXT, 60);
    tree.add('LICENSE', TEXT, 180);
    tree.add('.gitignore', { ...TEXT, flavor: 'sh' }, 12);
    tree.add('Makefile', { ...TEXT, flavor: 'sh' }, 40);
    tree.add('src/index.ts', specOf('index.ts'), 80);
    tree.add('scripts/build.sh', specOf('build.sh'), 30);
    tree.add('assets/logo.png', specOf('logo.png'));
    tree.add('docs/current.md', { kind: 'link', flavor: 'prose', mode: '120000' });
    const pinned = {
      manifest: pin(tree.add('package.json', JSON_FILE, 40)),
      lock: pin(tree.add('package-lock.json', JSON_FILE, 800)),
      changelog: pin(tree.add('CHANGELOG.md', TEXT, 20)),
    };
    while (tree.size < 40) tree.create();
    return pinned;
  }

  #initialCommit(): void {
    const person = this.#people.maintainer(this.#rng);
    const author = sign(at(person.identities, 0), person.zone, this.#tick());
    const changes = this.#tree.files.map((file): Change => ({ op: 'M', file }));
    this.#commit(MAIN, author, author, 'Initial commit\n', changes);
  }

  #humanCommit(): void {
    const rng = this.#rng;
    this.#humanCommits++;
    const { author, committer } = this.#signatures(this.#people.author(rng));
    const used = new Set<FileState>();
    const changes: Change[] = [];
    const count = 1 + rng.weighted(FILES_PER_COMMIT);
    for (let i = 0; i < count; i++) this.#mainChange(used, changes);
    this.#oddChange(changes);
    this.#commitEncoded(author, committer, this.#message(), changes);
  }

  /** Writes a human commit, in Latin-1 or with invalid UTF-8 for two early commits. */
  #commitEncoded(
    author: Signature,
    committer: Signature,
    message: string,
    changes: Change[],
  ): void {
    if (!this.#settings.oddNames) return this.#commit(MAIN, author, committer, message, changes);
    if (this.#humanCommits === LATIN1_COMMIT) {
      const legacy = { ...author, ...LATIN1_AUTHOR };
      const latin1 = { ...committer, ...LATIN1_AUTHOR };
      return this.#commit(MAIN, legacy, latin1, text.latin1Message(this.#rng), changes, {
        encoding: 'ISO-8859-1',
      });
    }
    if (this.#humanCommits === INVALID_UTF8_COMMIT) {
      const bytes = Buffer.from(
        `Fix the \xff\xfe byte-order mark in ${this.#rng.pick(WORDS)}\n`,
        'latin1',
      );
      return this.#commit(MAIN, author, committer, bytes, changes);
    }
    this.#commit(MAIN, author, committer, message, changes);
  }

  #mainChange(used: Set<FileState>, changes: Change[]): void {
    const rng = this.#rng;
    const adding = rng.chance(this.#addProbability());
    const file = adding ? undefined : this.#tree.pick((f) => f.owner < 0 && !used.has(f));
    if (file === undefined) {
      this.#add(used, changes);
      return;
    }
    used.add(file);
    const r = rng.float();
    if (r < 0.015 && !file.pinned && this.#tree.size > 30) {
      this.#delete(file, changes, true);
      return this.#retire(file.path);
    }
    if (r < 0.03 && !file.pinned) {
      const from = file.path;
      this.#rename(file, changes, true);
      return this.#retire(from);
    }
    if (r < 0.033 && file.kind === 'text' && !file.pinned) return this.#chmod(file, changes);
    if (r < 0.036 && file.kind === 'link') return this.#typeChange(file, changes);
    this.#modify(file, changes);
  }

  #addProbability(): number {
    const size = this.#tree.size;
    if (size < 20) return 0.5;
    return Math.max(0, 0.12 * (1 - size / this.#settings.maxFiles));
  }

  #add(used: Set<FileState>, changes: Change[]): FileState {
    const rng = this.#rng;
    const file =
      this.#settings.oddNames && rng.chance(0.003) ? this.#addOdd() : this.#tree.create();
    used.add(file);
    changes.push({ op: 'M', file });
    return file;
  }

  /** The first commits each add one of the odd paths. */
  #oddChange(changes: Change[]): void {
    if (!this.#settings.oddNames) return;
    const path = ODD_PATHS[this.#humanCommits - 1];
    if (path === undefined) return;
    changes.push({ op: 'M', file: this.#tree.add(path, specOf(path)) });
  }

  /** A new file with a randomly odd name: quotes, tabs, spaces, UTF-8 or Latin-1 bytes. */
  #addOdd(): FileState {
    const rng = this.#rng;
    for (;;) {
      const [dir, a, b] = [this.#tree.dirFor(), rng.pick(WORDS), rng.pick(WORDS)];
      const path = rng.pick([
        `${dir}/${b} ${a}.md`,
        `${dir}/${b} "${a}".txt`,
        `${dir}/${b}\t${a}.txt`,
        `${dir}/${b}-${utf8('ñandú')}.md`,
        `${dir}/${b}-\xe9t\xe9.txt`,
      ]);
      if (!this.#tree.has(path)) return this.#tree.add(path, specOf(path));
    }
  }

  #delete(file: FileState, changes: Change[], keepPath: boolean): void {
    this.#tree.remove(file, keepPath);
    changes.push({ op: 'D', path: file.quoted });
  }

  #rename(file: FileState, changes: Change[], keepOldPath: boolean): void {
    const from = file.quoted;
    this.#tree.move(file, keepOldPath);
    changes.push({ op: 'R', from, to: file.quoted, file });
    if (this.#rng.chance(0.4)) this.#modify(file, changes);
  }

  #chmod(file: FileState, changes: Change[]): void {
    file.mode = file.mode === '100755' ? '100644' : '100755';
    changes.push({ op: 'M', file });
  }

  /** A symbolic link replaced by a regular file at the same path (`T` in `git log --raw`). */
  #typeChange(file: FileState, changes: Change[]): void {
    Object.assign(file, { ...TEXT, lines: newLines(this.#rng, this.#rng.between(3, 30)) });
    changes.push({ op: 'M', file });
  }

  #modify(file: FileState, changes: Change[]): void {
    const rng = this.#rng;
    if (file.kind === 'text') editLines(rng, file.lines, file.pinned ? 4000 : 800);
    else file.seed = rng.seed();
    if (file.kind === 'binary') {
      file.size = Math.max(64, Math.round(file.size * (0.8 + rng.float() * 0.45)));
    }
    changes.push({ op: 'M', file });
  }

  #emptyCommit(): void {
    const { author, committer } = this.#signatures(this.#people.author(this.#rng));
    this.#commit(MAIN, author, committer, text.emptyMessage(this.#rng), []);
  }

  /** A dependency bump (manifest and lock file) or a changelog update, by a bot. */
  #botCommit(): void {
    const rng = this.#rng;
    const name = rng.pick<BotName>([
      'dependabot',
      'dependabot',
      'dependabot',
      'renovate',
      'actions',
    ]);
    const time = this.#tick();
    const author = sign(bot(name), UTC_ZONE, time);
    const committer = name === 'actions' ? author : sign(WEB_FLOW, UTC_ZONE, time);
    const { manifest, lock, changelog } = this.#pinned;
    const files = name === 'actions' ? [changelog] : [manifest, lock];
    for (const file of files) replaceLines(rng, file.lines, file === lock ? rng.between(2, 8) : 1);
    const changes = files.map((file): Change => ({ op: 'M', file }));
    this.#commit(MAIN, author, committer, text.botMessage(rng, name), changes);
  }

  // ---- feature branches ----------------------------------------------------------------------

  #shouldBranch(): boolean {
    const { branches, mergeRatio } = this.#settings;
    if (this.#features.length >= branches) return false;
    return this.#startedFeatures < mergeRatio * this.#written && this.#rng.chance(0.5);
  }

  #startFeature(): Feature {
    const rng = this.#rng;
    const pr = this.#nextPr();
    const kind = rng.pick(['feature', 'fix', 'docs', 'refactor']);
    const feature: Feature = {
      pr,
      branchPoint: this.#written,
      topic: `${kind}/${pr}-${rng.pick(WORDS)}-${rng.pick(WORDS)}`,
      title: text.subject(rng, () => pr),
      owner: this.#people.author(rng),
      touched: new Map(),
      remaining: 1 + Math.min(7, Math.floor(rng.exponential(2))),
      started: false,
    };
    this.#features.push(feature);
    this.#startedFeatures++;
    return feature;
  }

  #featureCommit(feature: Feature): void {
    const rng = this.#rng;
    const identity = this.#people.identity(rng, feature.owner);
    const author = sign(identity, feature.owner.zone, this.#tick());
    const used = new Set<FileState>();
    const changes: Change[] = [];
    for (let i = rng.between(1, 3); i > 0; i--) this.#featureChange(feature, used, changes);
    const message = rng.chance(0.25)
      ? `${rng.pick(['Address review comments', 'Fix tests', 'WIP', 'Fix lint'])}\n`
      : this.#message();
    const from = feature.started ? undefined : MAIN;
    this.#commit(`refs/heads/${feature.topic}`, author, author, message, changes, { from });
    feature.started = true;
    feature.remaining--;
  }

  /** One change on a branch: only to files the branch owns, so the merge never conflicts. */
  #featureChange(feature: Feature, used: Set<FileState>, changes: Change[]): void {
    const rng = this.#rng;
    const r = rng.float();
    const adding = r >= 0.8 && this.#tree.size < this.#settings.maxFiles;
    let file = r < 0.55 ? this.#ownedFile(feature, used) : undefined;
    if (file === undefined && !adding) {
      file = this.#tree.pick((f) => this.#free(feature, f) && !used.has(f));
    }
    if (file === undefined) return this.#own(feature, this.#add(used, changes), true);
    used.add(file);
    if (file.owner < 0) this.#own(feature, file, false);
    const op = rng.float();
    if (op < 0.03) return this.#featureDelete(feature, file, changes);
    if (op < 0.06) return this.#featureRename(feature, file, changes);
    this.#modify(file, changes);
  }

  /** A file main has not changed since the branch started, so both sides see the same bytes. */
  #free(feature: Feature, file: FileState): boolean {
    return file.owner < 0 && !file.pinned && file.changedAt < feature.branchPoint;
  }

  #ownedFile(feature: Feature, used: Set<FileState>): FileState | undefined {
    const owned = [...feature.touched.values()].flatMap((t) =>
      t.file && !used.has(t.file) ? [t.file] : [],
    );
    return owned.length > 0 ? this.#rng.pick(owned) : undefined;
  }

  #own(feature: Feature, file: FileState, added: boolean): void {
    file.owner = feature.pr;
    feature.touched.set(file.path, { file, added });
  }

  #featureDelete(feature: Feature, file: FileState, changes: Change[]): void {
    const touch = feature.touched.get(file.path);
    if (touch?.added) feature.touched.delete(file.path);
    else if (touch) touch.file = undefined;
    this.#delete(file, changes, !touch?.added);
  }

  #featureRename(feature: Feature, file: FileState, changes: Change[]): void {
    const from = file.path;
    const touch = feature.touched.get(from);
    if (touch?.added) feature.touched.delete(from);
    else if (touch) touch.file = undefined;
    this.#rename(file, changes, !touch?.added);
    feature.touched.set(file.path, { file, added: true });
  }

  /** Merges ready branches into main (now and then several at once, an octopus merge). */
  #merge(ready: readonly Feature[]): void {
    const rng = this.#rng;
    const count =
      ready.length >= 2 && rng.chance(0.1) ? rng.between(2, Math.min(3, ready.length)) : 1;
    const merged = count === 1 ? [rng.pick(ready)] : ready.slice(0, count);
    const merger = this.#people.maintainer(rng);
    const time = this.#tick();
    const author = sign(this.#people.identity(rng, merger), merger.zone, time);
    const topics = merged.map((f) => ({
      topic: f.topic,
      pr: f.pr,
      title: f.title,
      login: f.owner.login,
    }));
    const message = text.mergeMessage(rng, topics);
    const committer = message.startsWith('Merge pull request')
      ? sign(WEB_FLOW, UTC_ZONE, time)
      : author;
    const changes = merged.flatMap((f) => this.#replay(f));
    const merges = merged.map((f) => `refs/heads/${f.topic}`);
    this.#commit(MAIN, author, committer, message, changes, { merges });
    for (const feature of merged) this.#close(feature);
  }

  /** The branch's files as they are now: main's tree plus these is the merge result. */
  #replay(feature: Feature): Change[] {
    return [...feature.touched].flatMap(([path, touch]): Change[] => {
      if (touch.file) return [{ op: 'M', file: touch.file }];
      return touch.added ? [] : [{ op: 'D', path: quotePath(path) }];
    });
  }

  /** Frees the branch's files and paths and deletes its ref (a few merged branches are kept). */
  #close(feature: Feature): void {
    this.#features.splice(this.#features.indexOf(feature), 1);
    for (const [path, touch] of feature.touched) {
      if (touch.file) touch.file.owner = -1;
      else this.#retire(path);
    }
    if (!this.#rng.chance(0.01)) this.#stream.text(`reset refs/heads/${feature.topic}\n\n`);
  }

  /** A path just gone from main: reusable once no branch started before now is open. */
  #retire(path: string): void {
    if (this.#features.length === 0) this.#tree.release(path);
    else this.#tombstones.push({ path, at: this.#written });
  }

  #releaseTombstones(): void {
    const oldest = Math.min(...this.#features.map((f) => f.branchPoint));
    while (this.#tombstones.length > 0 && at(this.#tombstones, 0).at < oldest) {
      this.#tree.release(at(this.#tombstones, 0).path);
      this.#tombstones.shift();
    }
  }

  // ---- tags, time, signatures --------------------------------------------------------------

  #tagGap(): number {
    const every = this.#settings.tagEvery;
    return Math.max(1, Math.round(every * (0.7 + 0.6 * this.#rng.float())));
  }

  /** Tags main about every `tagEvery` commits; two tags in three are annotated. */
  #maybeTag(): void {
    if (this.#settings.tagEvery <= 0 || this.#written < this.#nextTag) return;
    this.#nextTag = this.#written + this.#tagGap();
    const name = this.#nextVersion();
    if (this.#tags++ % 3 === 2) {
      this.#stream.text(`reset refs/tags/${name}\nfrom refs/heads/main\n\n`);
      return;
    }
    const tagger = this.#people.maintainer(this.#rng);
    const when = this.#clock + this.#rng.int(3600);
    const signature = sign(at(tagger.identities, 0), tagger.zone, when);
    this.#stream.text(`tag ${name}\nfrom refs/heads/main\ntagger ${signatureLine(signature)}\n`);
    this.#stream.data(text.tagMessage(this.#rng, name));
  }

  #nextVersion(): string {
    const r = this.#rng.float();
    const [major = 0, minor = 0, patch = 0] = this.#version;
    if (r < 0.05 && this.#tags > 4) this.#version = [major + 1, 0, 0];
    else if (r < 0.35 || this.#tags === 0) this.#version = [major, minor + 1, 0];
    else this.#version = [major, minor, patch + 1];
    return `v${this.#version.join('.')}`;
  }

  /** Advances the committer clock: strictly increasing, with exponential gaps. */
  #tick(): number {
    this.#clock += 1 + Math.floor(this.#rng.exponential(this.#averageStep));
    return this.#clock;
  }

  /** Author (sometimes dated earlier, as after a rebase) and committer (sometimes a maintainer). */
  #signatures(person: Person): { author: Signature; committer: Signature } {
    const rng = this.#rng;
    const time = this.#tick();
    const authored = rng.chance(0.6)
      ? time
      : Math.max(this.#settings.start, time - Math.floor(rng.exponential(172_800)));
    const identity = this.#people.identity(rng, person);
    const author = sign(identity, person.zone, authored);
    const maintainer = rng.chance(0.1) ? this.#people.maintainer(rng) : person;
    const committer = sign(
      maintainer === person ? identity : at(maintainer.identities, 0),
      maintainer.zone,
      time,
    );
    return { author, committer };
  }

  #message(): string {
    const rng = this.#rng;
    const other = this.#people.identity(rng, this.#people.author(rng));
    return text.message(rng, () => this.#nextPr(), other);
  }

  #nextPr(): number {
    return ++this.#lastPr;
  }

  // ---- output ----------------------------------------------------------------------------------

  #commit(
    ref: string,
    author: Signature,
    committer: Signature,
    message: string | Buffer,
    changes: readonly Change[],
    extra: {
      readonly from?: string | undefined;
      readonly merges?: readonly string[];
      readonly encoding?: string;
    } = {},
  ): void {
    const stream = this.#stream;
    const header = [`commit ${ref}`, `author ${signatureLine(author)}`];
    header.push(`committer ${signatureLine(committer)}`, '');
    // Latin-1 headers must reach git as Latin-1 bytes, not as UTF-8.
    if (extra.encoding) {
      header.splice(-1, 0, `encoding ${extra.encoding}`);
      stream.bytes(Buffer.from(header.join('\n'), 'latin1'));
    } else {
      stream.text(header.join('\n'));
    }
    stream.data(message);
    if (extra.from) stream.text(`from ${extra.from}\n`);
    for (const merge of extra.merges ?? []) stream.text(`merge ${merge}\n`);
    for (const change of changes) this.#writeChange(change);
    stream.text('\n');
    if (ref === MAIN) this.#markChanged(changes);
    this.#written++;
  }

  /** Records which main commit last wrote each file, for `#free`. */
  #markChanged(changes: readonly Change[]): void {
    for (const change of changes) if (change.op !== 'D') change.file.changedAt = this.#written;
  }

  #writeChange(change: Change): void {
    const stream = this.#stream;
    if (change.op === 'D') return stream.text(`D ${change.path}\n`);
    if (change.op === 'R') return stream.text(`R ${change.from} ${change.to}\n`);
    const file = change.file;
    stream.text(`M ${file.mode} inline ${file.quoted}\n`);
    if (file.kind === 'binary') stream.data(binaryOf(file.seed, file.size));
    else if (file.kind === 'link') stream.data(linkTargetOf(file.seed));
    else stream.data(textOf(file.flavor, file.lines, file.finalNewline));
  }
}

function signatureLine(signature: Signature): string {
  return `${signature.name} <${signature.email}> ${signature.time} ${signature.tz}`;
}

/** Rewrites `count` single lines in place: a version bump in a manifest or a lock file. */
function replaceLines(rng: Random, lines: number[], count: number): void {
  for (let i = 0; i < count && lines.length > 0; i++) lines[rng.int(lines.length)] = rng.seed();
}
