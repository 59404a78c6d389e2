import { Random, at } from './random.js';

/** How the lines of a text file look; chosen from its extension. */
export type Flavor = 'ts' | 'py' | 'c' | 'prose' | 'json' | 'yaml' | 'markup' | 'sh';

export const WORDS = [
  'alpha', 'buffer', 'cache', 'delta', 'event', 'field', 'graph', 'handle',
  'index', 'join', 'kernel', 'layer', 'merge', 'node', 'option', 'parse',
  'query', 'route', 'stream', 'token', 'update', 'value', 'widget', 'yield',
  'zone', 'batch', 'chunk', 'digest', 'encode', 'filter', 'gather', 'hash',
  'input', 'json', 'key', 'limit', 'map', 'name', 'offset', 'patch',
  'queue', 'range', 'scope', 'table', 'unit', 'vector', 'window', 'xform',
  'agent', 'bridge', 'client', 'driver', 'engine', 'frame', 'guard', 'helper',
  'import', 'loader', 'model', 'policy', 'render', 'schema', 'server', 'worker',
]; // prettier-ignore

const word = (bits: number): string => at(WORDS, bits & 63);

type Shape = (a: string, b: string, n: number) => string;

/** Four line shapes per flavor; which one a line gets, and its words, come from its seed. */
const SHAPES: Readonly<Record<Flavor, readonly Shape[]>> = {
  ts: [
    (a, b, n) => `  const ${a}${n} = ${b}(${n & 1023});`,
    (a, b, n) => `  if (${a}.${b}(${n})) return ${a};`,
    (a, b, n) => `export function ${a}${n}(${b}: number): number {`,
    (a, b, n) => `  // ${a} the ${b} before ${n}`,
  ],
  py: [
    (a, b, n) => `    ${a}_${n} = ${b}(${n & 1023})`,
    (a, b, n) => `def ${a}_${b}_${n}(self):`,
    (a, b, n) => `    # ${a} the ${b} before ${n}`,
    (a, b, n) => `    return self.${a}.${b}(${n})`,
  ],
  c: [
    (a, b, n) => `\tint ${a}_${n} = ${b}(${n & 1023});`,
    (a, b, n) => `static int ${a}_${b}_${n}(void)`,
    (a, b, n) => `\t/* ${a} the ${b} before ${n} */`,
    (a, b, n) => `\tif (${a}_${n} < 0) goto fail_${b};`,
  ],
  prose: [
    (a, b, n) => `The ${a} ${b} keeps ${n} entries until the ${word(n)} is ready.`,
    (a, b, n) => `- ${a}: ${b} (${n})`,
    (a, b, n) => `## ${a} and ${b} ${n}`,
    (a, b, n) => `See \`${a}.${b}\` for the ${word(n >>> 6)} options (${n}).`,
  ],
  json: [
    (a, b, n) => `    "${a}-${b}-${n}": "^${n % 20}.${n % 37}.${n % 11}",`,
    (a, b, n) => `  "${a}${n}": ${n},`,
    (a, b, n) => `      "resolved": "https://registry.example.com/${a}/-/${b}-${n}.tgz",`,
    (a, b, n) => `      "integrity": "sha512-${a}${b}${n.toString(36)}",`,
  ],
  yaml: [
    (a, b, n) => `  ${a}_${n}: ${b}`,
    (a, b, n) => `- name: ${a} ${b} ${n}`,
    (a, b, n) => `    run: make ${a} ${b}=${n}`,
    (a, b, n) => `# ${a} ${b} ${n}`,
  ],
  markup: [
    (a, b, n) => `.${a}-${n} { ${b}: ${n % 100}px; }`,
    (a, b, n) => `<div class="${a}">${b} ${n}</div>`,
    (a, b, n) => `  <li><a href="/${a}/${b}">${n}</a></li>`,
    (a, b, n) => `#${a}${n} > .${b} { margin: 0 auto; }`,
  ],
  sh: [
    (a, b, n) => `${a}_${n}="${b}"`,
    (a, b, n) => `if [ -n "$${a}_${n}" ]; then ${b}; fi`,
    (a, b, n) => `# ${a} the ${b} before ${n}`,
    (a, b, n) => `  ${a} --${b}=${n} "$@"`,
  ],
};

const CLOSERS: Readonly<Record<Flavor, string>> = {
  ts: '}',
  py: '',
  c: '}',
  prose: '',
  json: '  },',
  yaml: '',
  markup: '</div>',
  sh: 'fi',
};

/**
 * The text of one line, a pure function of its seed (30 bits): a blank line or closing brace one
 * time in eight, as in real code, so diffs meet repeated lines too.
 */
export function lineText(flavor: Flavor, seed: number): string {
  const kind = seed >>> 26;
  if (kind === 0) return '';
  if (kind === 1) return CLOSERS[flavor];
  return at(SHAPES[flavor], kind & 3)(word(seed), word(seed >>> 6), (seed >>> 12) & 0x3fff);
}

/** A text file's content from its line seeds. */
export function textOf(flavor: Flavor, lines: readonly number[], finalNewline: boolean): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) text += '\n';
    text += lineText(flavor, at(lines, i));
  }
  return lines.length > 0 && finalNewline ? `${text}\n` : text;
}

export function newLines(rng: Random, count: number): number[] {
  return Array.from({ length: count }, () => rng.seed());
}

/** A block size for one edit: usually a few lines, now and then a large hunk. */
function blockSize(rng: Random): number {
  if (rng.chance(0.04)) return rng.between(20, 150);
  return 1 + Math.min(40, Math.floor(rng.exponential(3)));
}

/**
 * Edits `lines` in place as a developer would: inserts, deletions and rewrites of blocks, so
 * `git log --numstat` reports real, varied added and deleted counts. Files past `maxLines` shrink.
 */
export function editLines(rng: Random, lines: number[], maxLines: number): void {
  const edits = rng.chance(0.35) ? rng.between(2, 4) : 1;
  for (let i = 0; i < edits; i++) {
    const r = lines.length >= maxLines ? 0.5 : rng.float();
    const pos = rng.int(lines.length + 1);
    if (lines.length === 0 || r < 0.45) lines.splice(pos, 0, ...newLines(rng, blockSize(rng)));
    else if (r < 0.65) lines.splice(Math.min(pos, lines.length - 1), blockSize(rng));
    else {
      const removed = blockSize(rng);
      lines.splice(Math.min(pos, lines.length - 1), removed, ...newLines(rng, blockSize(rng)));
    }
  }
}

const PNG_HEADER = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

/** Binary content (a PNG-like header with NUL bytes, then noise), a pure function of its seed. */
export function binaryOf(seed: number, size: number): Buffer {
  const bytes = Buffer.alloc(Math.max(size, PNG_HEADER.length + 4));
  PNG_HEADER.copy(bytes);
  const rng = new Random(seed);
  for (let i = PNG_HEADER.length; i + 4 <= bytes.length; i += 4) bytes.writeUInt32LE(rng.next(), i);
  return bytes;
}

/** Where a symbolic link points, a pure function of its seed. */
export function linkTargetOf(seed: number): string {
  return `../${word(seed)}/${word(seed >>> 6)}.md`;
}
