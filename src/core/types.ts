/** A person's signature on a commit, exactly as git recorded it. */
export interface Signature {
  readonly name: string;
  readonly email: string;
  /** Seconds since the Unix epoch (UTC). */
  readonly time: number;
  /** The signer's time-zone offset from UTC in minutes, e.g. -480 for -0800. */
  readonly tzOffset: number;
}

/** One commit's metadata, as `git log` reports it. */
export interface Commit {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly author: Signature;
  readonly committer: Signature;
  /** git's subject: the first paragraph of the message, its lines joined by spaces. */
  readonly subject: string;
  /** The full raw message. */
  readonly message: string;
}

/** git's change status letters: Added, Modified, Deleted, Renamed, Copied, Type change. */
export type ChangeType = 'A' | 'M' | 'D' | 'R' | 'C' | 'T';

/** One file touched by a commit (`--raw --numstat` with rename detection). */
export interface FileChange {
  readonly path: string;
  /** The source path of a rename or copy, else null. */
  readonly oldPath: string | null;
  readonly changeType: ChangeType;
  /** Lines added; 0 for binary files. */
  readonly added: number;
  /** Lines deleted; 0 for binary files. */
  readonly deleted: number;
  readonly binary: boolean;
}

/** A commit with the files it touched (empty for merges and commits touching no file). */
export interface CommitWithFiles extends Commit {
  readonly files: readonly FileChange[];
}

/** A ref: a branch or a tag and the commit it points to (tags peeled to their commit). */
export interface Ref {
  readonly name: string;
  readonly kind: 'branch' | 'tag';
  readonly sha: string;
  /**
   * When it was made, in seconds since the epoch: git's `creatordate`, i.e. the tagger date of an
   * annotated tag, else the committer date of the commit it points to. Null when unknown.
   */
  readonly createdAt: number | null;
}

/**
 * One line of a repository's `.mailmap` (gitmailmap(5)): commits signed `commitName <commitEmail>`
 * (any name when `commitName` is null; both compared case-insensitively) are attributed to
 * `properName <properEmail>`, each part kept as signed when null.
 */
export interface MailmapEntry {
  readonly properName: string | null;
  readonly properEmail: string | null;
  readonly commitName: string | null;
  readonly commitEmail: string;
}

/** A file of the default branch's tree and its size (`git ls-tree -r -l`). */
export interface TreeFile {
  readonly path: string;
  readonly bytes: number;
}

/** Which passes of the collection are complete. */
export type CollectionStatus =
  'new' | 'collecting-commits' | 'commits-done' | 'collecting-files' | 'up-to-date' | 'failed';

/** One period of one email's organisation: `[from, to)`, either end open when null (ISO times). */
export interface AffiliationEntry {
  readonly email: string;
  readonly organization: string;
  readonly from: string | null;
  readonly to: string | null;
}
