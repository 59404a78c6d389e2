/**
 * File extensions and well-known file names → language, for the language distribution. Extensions
 * are lower-case without the dot; names are matched exactly (lower-cased). An ambiguous extension
 * takes its most common language (`.h`: C, `.m`: Objective-C, `.pl`: Perl).
 */

/** The language of files nothing here knows. */
export const OTHER = 'Other';

const BY_EXTENSION: Readonly<Record<string, readonly string[]>> = {
  TypeScript: ['ts', 'tsx', 'mts', 'cts'],
  JavaScript: ['js', 'jsx', 'mjs', 'cjs'],
  Python: ['py', 'pyi', 'pyw', 'pyx'],
  Java: ['java'],
  Kotlin: ['kt', 'kts'],
  Scala: ['scala', 'sc'],
  Groovy: ['groovy', 'gradle'],
  Clojure: ['clj', 'cljs', 'cljc', 'edn'],
  C: ['c', 'h'],
  'C++': ['cc', 'cpp', 'cxx', 'c++', 'hh', 'hpp', 'hxx', 'h++', 'ipp', 'inl'],
  'C#': ['cs', 'csx'],
  'F#': ['fs', 'fsi', 'fsx'],
  'Visual Basic': ['vb', 'bas'],
  'Objective-C': ['m', 'mm'],
  Swift: ['swift'],
  Go: ['go'],
  Rust: ['rs'],
  Zig: ['zig'],
  Nim: ['nim'],
  D: ['d'],
  Ruby: ['rb', 'rake', 'gemspec', 'erb'],
  PHP: ['php', 'phtml'],
  Perl: ['pl', 'pm', 'pod', 't'],
  Lua: ['lua'],
  R: ['r', 'rmd'],
  Julia: ['jl'],
  MATLAB: ['mat'],
  Dart: ['dart'],
  Elixir: ['ex', 'exs'],
  Erlang: ['erl', 'hrl'],
  Haskell: ['hs', 'lhs'],
  OCaml: ['ml', 'mli'],
  Elm: ['elm'],
  Fortran: ['f', 'f90', 'f95', 'f03', 'for'],
  Assembly: ['s', 'asm'],
  Shell: ['sh', 'bash', 'zsh', 'ksh', 'fish'],
  PowerShell: ['ps1', 'psm1', 'psd1'],
  Batchfile: ['bat', 'cmd'],
  SQL: ['sql'],
  HTML: ['html', 'htm', 'xhtml'],
  CSS: ['css'],
  SCSS: ['scss', 'sass'],
  Less: ['less'],
  Vue: ['vue'],
  Svelte: ['svelte'],
  Markdown: ['md', 'markdown', 'mdx'],
  reStructuredText: ['rst'],
  AsciiDoc: ['adoc', 'asciidoc'],
  TeX: ['tex', 'sty', 'cls', 'bib'],
  Text: ['txt'],
  JSON: ['json', 'jsonc', 'json5', 'ipynb'],
  YAML: ['yml', 'yaml'],
  TOML: ['toml'],
  XML: ['xml', 'xsd', 'xsl', 'xslt', 'plist', 'svg'],
  INI: ['ini', 'cfg', 'conf', 'properties'],
  CSV: ['csv', 'tsv'],
  Protobuf: ['proto'],
  GraphQL: ['graphql', 'gql'],
  Terraform: ['tf', 'tfvars', 'hcl'],
  Nix: ['nix'],
  CMake: ['cmake'],
  Makefile: ['mk', 'mak'],
  Dockerfile: ['dockerfile'],
  Starlark: ['bzl', 'star'],
};

const BY_NAME: Readonly<Record<string, readonly string[]>> = {
  Makefile: ['makefile', 'gnumakefile'],
  Dockerfile: ['dockerfile', 'containerfile'],
  CMake: ['cmakelists.txt'],
  Ruby: ['gemfile', 'rakefile', 'podfile', 'vagrantfile'],
  Shell: ['.bashrc', '.bash_profile', '.zshrc', '.profile'],
  Groovy: ['jenkinsfile'],
  Starlark: ['build', 'build.bazel', 'workspace', 'workspace.bazel'],
};

const invert = (table: Readonly<Record<string, readonly string[]>>) =>
  new Map(Object.entries(table).flatMap(([language, keys]) => keys.map((key) => [key, language])));

const EXTENSIONS = invert(BY_EXTENSION);
const NAMES = invert(BY_NAME);

/** The lower-cased file names recognised whole (checked before the extension). */
export const KNOWN_FILE_NAMES: readonly string[] = [...NAMES.keys()];

/**
 * The language of a file name (the last segment of its path): from the whole name when well known,
 * else from its extension (after the last dot, a leading dot excepted), else `Other`.
 *
 * @example languageOf('Makefile') // 'Makefile'; languageOf('a.TS') // 'TypeScript'
 */
export function languageOf(fileName: string): string {
  const name = fileName.toLowerCase();
  return NAMES.has(name) ? languageOfKey('name', name) : languageOfKey('ext', extensionOf(name));
}

/** The lower-cased extension of a file name, `''` when it has none (a dot file has none). */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** The language of a well-known file name or of an extension (both lower-cased). */
export function languageOfKey(kind: 'name' | 'ext', key: string): string {
  return (kind === 'name' ? NAMES : EXTENSIONS).get(key) ?? OTHER;
}
