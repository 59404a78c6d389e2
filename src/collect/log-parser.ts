import { Buffer } from 'node:buffer';
import type { ChangeType, CommitWithFiles, FileChange, Signature } from '../core/index.js';
import { decodePath, subjectOf } from '../core/index.js';
import { MetreError } from '../errors/index.js';
import type { CommitFiles } from '../store/index.js';

/**
 * The output of `git log` did not have the shape metre asked for. `offset` is the byte offset in
 * the stream where the unexpected token starts (for truncated output: where the stream ended);
 * `record` is the 1-based index of the commit record being parsed.
 */
export class ParseError extends MetreError {
  readonly offset: number;
  readonly record: number;

  constructor(detail: string, offset: number, record: number) {
    super(
      'METRE_PARSE_ERROR',
      `Unexpected git log output at byte ${offset} (commit record ${record}): ${detail}`,
    );
    this.name = 'ParseError';
    this.offset = offset;
    this.record = record;
  }
}

/**
 * Parses the output of the first pass, `git log` run with `COMMITS_PASS_ARGS` from
 * `log-format.ts`: each commit's header and message. Each commit is yielded as soon as the
 * separator after it (or the end of the stream) arrives, so memory stays flat however long the
 * history is; its `files` are always empty (the second pass, {@link parseFileChanges}, reads
 * them). Tokens may span chunks. An empty stream (an empty repository) yields nothing; anything
 * else that is not the format, truncated output included, throws a {@link ParseError}.
 *
 * The stream is a sequence of NUL-terminated tokens (`␀` below). Annotated, the first two records
 * of `fixtures/merges.commits.log`:
 *
 * ```text
 * @27fa6bdd93fe…3e0ff3␀                record start: `@` and the sha (40 or 64 hex digits)
 * 0032cf…3595fa d1283e…259f65 7f89…␀ parents, space separated; empty for a root commit
 * Ada Author␀ada@example.org␀          author name and email
 * 1700000540 +0530␀                    author date: epoch seconds, zone (+0530: tzOffset 330)
 * Carl Committer␀carl@example.org␀     committer name and email
 * 1700000570 -0800␀                    committer date (-0800: tzOffset -480)
 * Octopus merge\n␀                     the raw message (%B): any bytes but NUL, maybe none
 * ␀                                    record separator: between records, not after the last
 * @7f898ffa400b…281a780a␀ …            the next record
 * ```
 *
 * Names and messages are decoded as UTF-8, lossily (git re-encodes them to UTF-8 when the commit
 * declares another encoding). Output cut exactly at the end of a record still has the shape of a
 * complete log: the caller must check that git exited with 0.
 *
 * @example
 * for await (const commit of parseGitLog(child.stdout)) store(commit);
 */
export async function* parseGitLog(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<CommitWithFiles> {
  yield* drive(chunks, COMMITS_PASS);
}

/**
 * Parses the output of the second pass, `git log` run with `FILES_PASS_ARGS` from
 * `log-format.ts`: each commit's sha and the files it touched, in the order of the first pass's
 * walk. Streams, chunks, empty and bad output are handled as by {@link parseGitLog}.
 *
 * Annotated, the first records of `fixtures/copies.files.log` (the files pass, plus `-C`):
 *
 * ```text
 * @7697ca0b2ec2…8df16b␀                record start: `@` and the sha (40 or 64 hex digits)
 * \n:100644 100644 6b751d8 658d08e M␀  the diff's first raw entry starts with a newline
 * b.txt␀                               its path
 * :100644 100644 6b751d8 6b751d8 C100␀ a copy (or a rename, R086) has a similarity score
 * b.txt␀copy.txt␀                      and two paths, old then new
 * 1\t0\tb.txt␀                         numstat entries: one per raw entry, in the same order
 * 0\t0\t␀b.txt␀copy.txt␀               a copy's or rename's: empty path, then old and new
 * ␀                                    record separator: between records, not after the last
 * @fc7a7996ec5c…aed444␀ …              the next record; a merge, or a commit touching no file,
 *                                      has no diff: the separator follows its sha
 * ```
 *
 * Binary files count `-\t-`. Status letters A, M, D, T, R and C are accepted; U and X (which
 * `git log` never prints) and anything else are errors, as is a numstat entry whose path does not
 * match its raw entry. Paths are decoded with `decodePath`, which keeps names that are not UTF-8
 * distinct; only paths and shas are decoded at all.
 *
 * Output cut exactly at the end of a record, or right after a sha whose diff is missing, still has
 * the shape of a complete log: the caller must check that git exited with 0.
 *
 * @example
 * for await (const changes of parseFileChanges(child.stdout)) store(changes.sha, changes.files);
 */
export async function* parseFileChanges(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<CommitFiles> {
  yield* drive(chunks, FILES_PASS);
}

/** Feeds the stream's tokens to a machine running `grammar`. */
async function* drive<S, T>(
  chunks: AsyncIterable<Uint8Array>,
  grammar: Grammar<S, T>,
): AsyncGenerator<T> {
  const splitter = new NulSplitter();
  const machine = new LogMachine(grammar);
  for await (const chunk of chunks) {
    splitter.load(chunk);
    for (let token = splitter.next(); token !== undefined; token = splitter.next()) {
      const done = machine.push(token, splitter.tokenStart);
      if (done !== undefined) yield done;
    }
  }
  const last = machine.end(splitter.length, splitter.partial);
  if (last !== undefined) yield last;
}

const EMPTY = Buffer.alloc(0);
const MAX_KEPT_CARRY = 1 << 20;

/**
 * Splits a byte stream on NUL bytes. A token inside one chunk is a view of it, not a copy; only a
 * token cut by a chunk boundary is copied, into a carry-over buffer that grows by doubling (the
 * producer may reuse its buffers, and tiny chunks must not cost an allocation each). A token is
 * valid until the next call: the state machine decodes what it keeps before asking for more.
 */
class NulSplitter {
  #chunk: Buffer = EMPTY;
  #pos = 0;
  #base = 0;
  #carry: Buffer = EMPTY;
  #carried = 0;
  /** Stream offset of the first byte of the token last returned. */
  tokenStart = 0;

  load(chunk: Uint8Array): void {
    this.#base += this.#chunk.length;
    this.#chunk = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#pos = 0;
  }

  /** The next complete token, or undefined once the chunk holds no further NUL. */
  next(): Buffer | undefined {
    const nul = this.#chunk.indexOf(0, this.#pos);
    if (nul === -1) return this.#stash();
    const head = this.#chunk.subarray(this.#pos, nul);
    if (this.#carried === 0) this.tokenStart = this.#base + this.#pos;
    this.#pos = nul + 1;
    return this.#carried === 0 ? head : this.#joinCarry(head);
  }

  /** Bytes seen so far. */
  get length(): number {
    return this.#base + this.#chunk.length;
  }

  /** True when the stream so far ends inside a token (no terminating NUL yet). */
  get partial(): boolean {
    return this.#carried > 0;
  }

  #stash(): undefined {
    if (this.#pos < this.#chunk.length) {
      if (this.#carried === 0) this.tokenStart = this.#base + this.#pos;
      this.#append(this.#chunk.subarray(this.#pos));
    }
    this.#pos = this.#chunk.length;
    return undefined;
  }

  #joinCarry(head: Buffer): Buffer {
    this.#append(head);
    const token = this.#carry.subarray(0, this.#carried);
    this.#carried = 0;
    if (this.#carry.length > MAX_KEPT_CARRY) this.#carry = EMPTY; // let a huge message's go
    return token;
  }

  #append(bytes: Buffer): void {
    const needed = this.#carried + bytes.length;
    if (needed > this.#carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#carry.length * 2, 1024));
      this.#carry.copy(grown, 0, 0, this.#carried);
      this.#carry = grown;
    }
    bytes.copy(this.#carry, this.#carried);
    this.#carried = needed;
  }
}

/**
 * A raw diff entry waiting for its numstat entry. Its paths are decoded once, here; the numstat
 * entry's are only compared with them byte for byte, as `bytes` (one char per byte, latin1).
 */
interface RawEntry {
  readonly changeType: ChangeType;
  readonly oldPath: string | null;
  readonly path: string;
  readonly oldBytes: string | null;
  readonly bytes: string;
}

/** Line counts of a numstat entry. */
interface Counts {
  readonly added: number;
  readonly deleted: number;
  readonly binary: boolean;
}

/** A commit of the files pass whose sha is read, collecting its diff. */
interface Draft {
  readonly sha: string;
  readonly raw: RawEntry[];
  readonly files: FileChange[];
}

/** Between records: `@<sha>`, or (before any record) the end of an empty log. */
type Between = { readonly kind: 'start' } | { readonly kind: 'record' };

const START: Between = { kind: 'start' };
const RECORD: Between = { kind: 'record' };

/** What the commits pass expects next; each kind has one handler below. */
type CommitsState =
  | Between
  /** Parents, author name, email, date, committer name, email, date: one token each. */
  | { readonly kind: 'header'; readonly sha: string; readonly fields: string[] }
  /** The raw message. */
  | { readonly kind: 'message'; readonly sha: string; readonly fields: readonly string[] }
  /** After the message: the separator or the end. */
  | { readonly kind: 'after-message'; readonly commit: CommitWithFiles };

/** What the files pass expects next; each kind has one handler below. */
type FilesState =
  | Between
  /** After the sha: the separator, the end, or the first raw entry. */
  | { readonly kind: 'after-sha'; readonly draft: Draft }
  /** The path of a raw entry, or for a rename or copy its old then its new path. */
  | {
      readonly kind: 'raw-path';
      readonly draft: Draft;
      readonly changeType: ChangeType;
      readonly twoPaths: boolean;
      readonly old: Path | null;
    }
  /** After a raw entry: another raw entry or the first numstat entry. */
  | { readonly kind: 'after-raw'; readonly draft: Draft }
  /** The old then the new path of a rename's or copy's numstat entry. */
  | {
      readonly kind: 'numstat-path';
      readonly draft: Draft;
      readonly counts: Counts;
      readonly oldBytes: string | null;
    }
  /** After a numstat entry: another one, the separator or the end. */
  | { readonly kind: 'after-numstat'; readonly draft: Draft };

/** One variant of a state union. */
type In<S extends { kind: string }, K extends S['kind']> = Extract<S, { kind: K }>;

/** What every handler may do: reject the token, with its offset and record. */
interface Fails {
  fail(detail: string): never;
}

/** What a handler ending a record may do besides returning the next state. */
interface Machine<T> extends Fails {
  /** Hands out a complete item; the next one starts a new record. */
  emit(item: T): void;
}

/** A pass's format: its states, the handler dispatch, and where the stream may end. */
interface Grammar<S, T> {
  readonly start: S;
  step(state: S, token: Buffer, m: Machine<T>): S;
  /** The end of the stream: emits the last item, or fails if it cannot end here. */
  finish(state: S, m: Machine<T>): void;
}

const COMMITS_PASS: Grammar<CommitsState, CommitWithFiles> = {
  start: START,
  step: stepCommits,
  finish: finishCommits,
};

const FILES_PASS: Grammar<FilesState, CommitFiles> = {
  start: START,
  step: stepFiles,
  finish: finishFiles,
};

/** The state machine: feeds each token to the handler of the current state. */
class LogMachine<S, T> implements Machine<T> {
  readonly #grammar: Grammar<S, T>;
  #state: S;
  #record = 1;
  #offset = 0;
  #done: T | undefined;

  constructor(grammar: Grammar<S, T>) {
    this.#grammar = grammar;
    this.#state = grammar.start;
  }

  /** Consumes one token; returns the item it completed, if any. */
  push(token: Buffer, offset: number): T | undefined {
    this.#offset = offset;
    this.#state = this.#grammar.step(this.#state, token, this);
    const done = this.#done;
    this.#done = undefined;
    return done;
  }

  /** Ends the stream; returns the last item, or throws if the stream stopped mid-record. */
  end(length: number, partial: boolean): T | undefined {
    this.#offset = length;
    if (partial) this.fail('the output ends inside a field');
    this.#grammar.finish(this.#state, this);
    return this.#done;
  }

  emit(item: T): void {
    this.#done = item;
    this.#record += 1;
  }

  fail(detail: string): never {
    throw new ParseError(detail, this.#offset, this.#record);
  }
}

function stepCommits(
  state: CommitsState,
  token: Buffer,
  m: Machine<CommitWithFiles>,
): CommitsState {
  switch (state.kind) {
    case 'start':
    case 'record':
      return onCommitRecord(token, m);
    case 'header':
      return onHeader(state, token, m);
    case 'message':
      return onMessage(state, token);
    case 'after-message':
      return onAfterMessage(state, token, m);
  }
}

function stepFiles(state: FilesState, token: Buffer, m: Machine<CommitFiles>): FilesState {
  switch (state.kind) {
    case 'start':
    case 'record':
      return onFilesRecord(token, m);
    case 'after-sha':
      return onAfterSha(state, token, m);
    case 'raw-path':
      return onRawPath(state, token);
    case 'after-raw':
      return onAfterRaw(state, token, m);
    case 'numstat-path':
      return onNumstatPath(state, token, m);
    case 'after-numstat':
      return onAfterNumstat(state, token, m);
  }
}

/** The end of the stream is only valid where a record may end (or before any record). */
function finishCommits(state: CommitsState, m: Machine<CommitWithFiles>): void {
  switch (state.kind) {
    case 'start':
      return;
    case 'after-message':
      return m.emit(state.commit);
    case 'record':
      return m.fail('the output ends after a record separator');
    case 'header':
      return m.fail(
        `the output ends inside a record (expecting the ${HEADER[state.fields.length] ?? 'header'})`,
      );
    case 'message':
      return m.fail('the output ends inside a record (expecting the message)');
  }
}

function finishFiles(state: FilesState, m: Machine<CommitFiles>): void {
  switch (state.kind) {
    case 'start':
      return;
    case 'after-sha':
    case 'after-numstat':
      return m.emit(complete(state.draft, m));
    case 'record':
      return m.fail('the output ends after a record separator');
    case 'raw-path':
    case 'numstat-path':
      return m.fail('the output ends inside a record (expecting a path)');
    case 'after-raw':
      return m.fail('the output ends inside a record (expecting a numstat entry)');
  }
}

const AT = 0x40;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const TAB = 0x09;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const PARENTS = /^(?:(?:[0-9a-f]{40}|[0-9a-f]{64})(?: (?:[0-9a-f]{40}|[0-9a-f]{64}))*)?$/;
const COUNT = /^\d{1,15}$/;
const DATE = /^(-?\d+) ([+-])(\d\d)([0-5]\d)$/;
const HEADER = [
  'parents',
  'author name',
  'author email',
  'author date',
  'committer name',
  'committer email',
  'committer date',
] as const;
const NO_FILES: readonly FileChange[] = Object.freeze([]);

/** `@<sha>`, the first token of a record in either pass. */
function shaOf(token: Buffer, m: Fails): string {
  if (token[0] !== AT) m.fail(`expected "@<sha>" to start a record, got ${preview(token)}`);
  const sha = token.toString('latin1', 1);
  if (!SHA.test(sha)) m.fail(`invalid commit sha ${preview(token)}`);
  return sha;
}

function onCommitRecord(token: Buffer, m: Fails): CommitsState {
  return { kind: 'header', sha: shaOf(token, m), fields: [] };
}

function onHeader(state: In<CommitsState, 'header'>, token: Buffer, m: Fails): CommitsState {
  const index = state.fields.length;
  const checked = index === 0 || index === 3 || index === 6;
  state.fields.push(checked ? checkedField(index, token, m) : token.toString('utf8'));
  return state.fields.length < HEADER.length
    ? state
    : { kind: 'message', sha: state.sha, fields: state.fields };
}

/** The parents and dates, checked here so an error points at the token at fault. */
function checkedField(index: number, token: Buffer, m: Fails): string {
  const text = token.toString('latin1');
  if (!(index === 0 ? PARENTS : DATE).test(text)) {
    m.fail(`invalid ${HEADER[index] ?? 'field'} ${preview(token)}`);
  }
  return text;
}

function onMessage(state: In<CommitsState, 'message'>, token: Buffer): CommitsState {
  const [parents = '', aName = '', aEmail = '', aDate = '', cName = '', cEmail = '', cDate = ''] =
    state.fields;
  const message = token.toString('utf8');
  const commit: CommitWithFiles = {
    sha: state.sha,
    parents: parents === '' ? [] : parents.split(' '),
    author: signature(aName, aEmail, aDate),
    committer: signature(cName, cEmail, cDate),
    subject: subjectOf(message),
    message,
    files: NO_FILES,
  };
  return { kind: 'after-message', commit };
}

function signature(name: string, email: string, date: string): Signature {
  const [, epoch = '0', sign, hours = '0', minutes = '0'] = DATE.exec(date) ?? [];
  const tzOffset = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
  return { name, email, time: Number(epoch), tzOffset: tzOffset === 0 ? 0 : tzOffset };
}

function onAfterMessage(
  state: In<CommitsState, 'after-message'>,
  token: Buffer,
  m: Machine<CommitWithFiles>,
): CommitsState {
  if (token.length === 0) {
    m.emit(state.commit);
    return RECORD;
  }
  if (token[0] === NEWLINE && token[1] === COLON) {
    m.fail('diff output in the commits pass (the files pass is parsed by parseFileChanges)');
  }
  return m.fail(`expected a record separator, got ${preview(token)}`);
}

function onFilesRecord(token: Buffer, m: Fails): FilesState {
  return { kind: 'after-sha', draft: { sha: shaOf(token, m), raw: [], files: [] } };
}

function onAfterSha(
  state: In<FilesState, 'after-sha'>,
  token: Buffer,
  m: Machine<CommitFiles>,
): FilesState {
  if (token.length === 0) return separator(state.draft, m);
  if (token[0] !== NEWLINE || token[1] !== COLON) {
    m.fail(`expected a record separator or a raw diff entry, got ${preview(token)}`);
  }
  return rawEntry(state.draft, token.subarray(1), m);
}

/** `:<old mode> <new mode> <old blob> <new blob> <status>`: only the status matters here. */
const RAW = /^:[0-7]{6} [0-7]{6} [0-9a-f]+(?:\.{3})? [0-9a-f]+(?:\.{3})? ([A-Z])(\d{3})?$/;

function rawEntry(draft: Draft, token: Buffer, m: Fails): FilesState {
  const match = RAW.exec(token.toString('latin1'));
  if (match === null) return m.fail(`invalid raw diff entry ${preview(token)}`);
  const changeType = statusOf(match[1] ?? '', match[2] !== undefined, m);
  const twoPaths = changeType === 'R' || changeType === 'C';
  return { kind: 'raw-path', draft, changeType, twoPaths, old: null };
}

function statusOf(letter: string, scored: boolean, m: Fails): ChangeType {
  switch (letter) {
    case 'R':
    case 'C':
      if (!scored) m.fail(`status ${letter} without a similarity score`);
      return letter;
    case 'M':
      return letter; // a score after M is a rewrite's dissimilarity (-B)
    case 'A':
    case 'D':
    case 'T':
      if (scored) m.fail(`status ${letter} with a score`);
      return letter;
    case 'U':
      return m.fail('unmerged file (status U) in a commit diff');
    case 'X':
      return m.fail('unknown change type (status X): git reported a bug');
    default:
      return m.fail(`unknown status letter ${letter}`);
  }
}

/** A path as stored (decoded) and as git printed it (its bytes, one char per byte). */
interface Path {
  readonly text: string;
  readonly bytes: string;
}

function pathOf(token: Buffer): Path {
  const bytes = token.toString('latin1');
  // ASCII decodes to itself: only other bytes need the (slower) UTF-8 check.
  return { text: isAscii(token) ? bytes : decodePath(token), bytes };
}

function isAscii(token: Buffer): boolean {
  for (let i = 0; i < token.length; i++) if ((token[i] ?? 0) >= 0x80) return false;
  return true;
}

function onRawPath(state: In<FilesState, 'raw-path'>, token: Buffer): FilesState {
  const path = pathOf(token);
  if (state.twoPaths && state.old === null) return { ...state, old: path };
  const { changeType, old } = state;
  state.draft.raw.push({
    changeType,
    oldPath: old?.text ?? null,
    path: path.text,
    oldBytes: old?.bytes ?? null,
    bytes: path.bytes,
  });
  return { kind: 'after-raw', draft: state.draft };
}

function onAfterRaw(state: In<FilesState, 'after-raw'>, token: Buffer, m: Fails): FilesState {
  if (token[0] === COLON) return rawEntry(state.draft, token, m);
  if (token.length === 0) m.fail('raw diff entries without numstat entries');
  return numstatEntry(state.draft, token, m);
}

function onAfterNumstat(
  state: In<FilesState, 'after-numstat'>,
  token: Buffer,
  m: Machine<CommitFiles>,
): FilesState {
  if (token.length === 0) return separator(state.draft, m);
  return numstatEntry(state.draft, token, m);
}

/** `<added>\t<deleted>\t<path>`, or with an empty path when old and new paths follow. */
function numstatEntry(draft: Draft, token: Buffer, m: Fails): FilesState {
  const tab1 = token.indexOf(TAB);
  const tab2 = tab1 === -1 ? -1 : token.indexOf(TAB, tab1 + 1);
  if (tab2 === -1) m.fail(`expected a numstat entry, got ${preview(token)}`);
  if (draft.files.length >= draft.raw.length) m.fail('more numstat entries than raw entries');
  const counts = countsOf(
    token.toString('latin1', 0, tab1),
    token.toString('latin1', tab1 + 1, tab2),
    m,
  );
  if (tab2 + 1 === token.length) return { kind: 'numstat-path', draft, counts, oldBytes: null };
  return addFile(draft, counts, null, token.toString('latin1', tab2 + 1), m);
}

function onNumstatPath(state: In<FilesState, 'numstat-path'>, token: Buffer, m: Fails): FilesState {
  const bytes = token.toString('latin1');
  if (state.oldBytes === null) return { ...state, oldBytes: bytes };
  return addFile(state.draft, state.counts, state.oldBytes, bytes, m);
}

/**
 * Pairs a numstat entry (its paths' bytes, one char per byte) with the raw entry at the same
 * position; they must name the same file.
 */
function addFile(
  draft: Draft,
  counts: Counts,
  oldBytes: string | null,
  bytes: string,
  m: Fails,
): FilesState {
  const raw = draft.raw[draft.files.length];
  if (raw === undefined) return m.fail('more numstat entries than raw entries');
  if (raw.bytes !== bytes || raw.oldBytes !== oldBytes) {
    const decoded = (text: string) => decodePath(Buffer.from(text, 'latin1'));
    const numstat = paths(oldBytes === null ? null : decoded(oldBytes), decoded(bytes));
    m.fail(`numstat entry ${numstat} does not match raw entry ${describe(raw)}`);
  }
  const { changeType, path, oldPath } = raw;
  const { added, deleted, binary } = counts;
  draft.files.push({ path, oldPath, changeType, added, deleted, binary });
  return { kind: 'after-numstat', draft };
}

function countsOf(added: string, deleted: string, m: Fails): Counts {
  if (added === '-' && deleted === '-') return { added: 0, deleted: 0, binary: true };
  if (!COUNT.test(added) || !COUNT.test(deleted)) {
    m.fail(`invalid numstat counts ${JSON.stringify(`${added}\t${deleted}`)}`);
  }
  return { added: Number(added), deleted: Number(deleted), binary: false };
}

/** The record separator: the draft is complete, the next token starts a new record. */
function separator(draft: Draft, m: Machine<CommitFiles>): FilesState {
  m.emit(complete(draft, m));
  return RECORD;
}

function complete(draft: Draft, m: Fails): CommitFiles {
  if (draft.files.length !== draft.raw.length) {
    m.fail(`${draft.raw.length} raw entries but ${draft.files.length} numstat entries`);
  }
  return { sha: draft.sha, files: draft.files };
}

function describe(raw: RawEntry): string {
  return `${raw.changeType} ${paths(raw.oldPath, raw.path)}`;
}

function paths(oldPath: string | null, path: string): string {
  return oldPath === null
    ? JSON.stringify(path)
    : `${JSON.stringify(oldPath)} -> ${JSON.stringify(path)}`;
}

/** A short, printable excerpt of a token for error messages. */
function preview(token: Buffer): string {
  const text = token.toString('utf8', 0, 60);
  return JSON.stringify(token.length > 60 ? `${text}…` : text);
}
