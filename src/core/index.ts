/**
 * Pure domain types and helpers, no I/O.
 *
 * @example
 * const c: Commit = { sha, parents: [], author, committer: author, subject: 'x', message: 'x\n' };
 */
export type {
  AffiliationEntry,
  ChangeType,
  CollectionStatus,
  Commit,
  CommitWithFiles,
  FileChange,
  MailmapEntry,
  Ref,
  Signature,
  TreeFile,
} from './types.js';
export { subjectOf } from './subject.js';
export { decodePath } from './bytes.js';
