import { z } from 'zod';
import { defineMetric } from '../metric.js';
import { KNOWN_FILE_NAMES, languageOfKey } from '../languages.js';
import { SqlBuilder } from '../sql-builder.js';

const params = z.strictObject({});

/** Files and bytes per language in the default branch's tree [CHAOSS Programming Language Distribution]. */
export const languageDistribution = defineMetric({
  id: 'language-distribution',
  version: 1,
  title: 'Language distribution',
  definition:
    'The files and bytes per language in the tree of the default branch’s head as last collected ' +
    '(git ls-tree -r -l: every blob, a symbolic link counting the length of its target; ' +
    'submodules left out). A file’s language comes from its name when well known (Makefile, ' +
    'Dockerfile, CMakeLists.txt, Gemfile…), else from its extension, case-insensitively, after ' +
    'the last dot (a leading dot does not start an extension); files with no or an unknown ' +
    'extension count as Other. fileShare and byteShare are the language’s shares of all files ' +
    'and bytes. For a group, files and bytes are summed over its repositories. Rows are sorted ' +
    'by bytes, then files, most first. [CHAOSS: Programming Language Distribution]',
  kind: 'table',
  params,
  compile(_p, context) {
    const b = new SqlBuilder();
    const repos = b.bindTexts(context.repoIds);
    const names = b.bindTexts(KNOWN_FILE_NAMES);
    // The file name, then its extension: what follows the last dot, unless that dot leads the name.
    const base = `lower(reverse(split_part(reverse(path), '/', 1)))`;
    const tail = `reverse(split_part(reverse(name), '.', 1))`;
    return [
      b.build(`WITH files AS (SELECT ${base} AS name, bytes FROM tree_files
          WHERE repo_id IN (SELECT unnest(${repos}))),
        keyed AS (SELECT CASE WHEN name IN (SELECT unnest(${names})) THEN 'name' ELSE 'ext' END
            AS kind,
          CASE WHEN name IN (SELECT unnest(${names})) THEN name
            WHEN name NOT LIKE '%.%' OR length(${tail}) + 1 = length(name) THEN ''
            ELSE ${tail} END AS key,
          bytes FROM files)
        SELECT kind, key, CAST(count(*) AS BIGINT) AS files, CAST(sum(bytes) AS BIGINT) AS bytes
        FROM keyed GROUP BY 1, 2`),
    ];
  },
  shape([rows = []]) {
    const languages = new Map<string, { files: number; bytes: number }>();
    for (const row of rows) {
      const language = languageOfKey(row.kind === 'name' ? 'name' : 'ext', String(row.key));
      const sum = languages.get(language) ?? { files: 0, bytes: 0 };
      sum.files += Number(row.files);
      sum.bytes += Number(row.bytes);
      languages.set(language, sum);
    }
    const files = [...languages.values()].reduce((s, l) => s + l.files, 0);
    const bytes = [...languages.values()].reduce((s, l) => s + l.bytes, 0);
    const sorted = [...languages].sort(
      ([la, a], [lb, b]) => b.bytes - a.bytes || b.files - a.files || (la < lb ? -1 : 1),
    );
    return {
      kind: 'table',
      columns: ['language', 'files', 'bytes', 'fileShare', 'byteShare'],
      rows: sorted.map(([language, l]) => ({
        language,
        files: l.files,
        bytes: l.bytes,
        fileShare: files === 0 ? 0 : l.files / files,
        byteShare: bytes === 0 ? 0 : l.bytes / bytes,
      })),
      detail: { files, bytes },
    };
  },
});
