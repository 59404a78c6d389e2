import { describe, expect, it } from 'vitest';
import { isMetreError } from '../errors/index.js';
import { parseTree } from './tree.js';

const SHA = '3b18e512dba79e4c8300dd08aeb37f8e728b8dad';

/** One `git ls-tree -r -l -z` entry; `path` may be raw bytes. */
function line(mode: string, type: string, size: string, path: string | Buffer): Buffer {
  const header = `${mode} ${type} ${SHA} ${size.padStart(7)}\t`;
  return Buffer.concat([Buffer.from(header), Buffer.from(path), Buffer.from([0])]);
}

/** Yields `bytes` in pieces of `size` bytes, as a pipe may cut them anywhere. */
async function* pieces(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collectAll(output: AsyncIterable<Uint8Array>, chunk?: number) {
  const chunks = [];
  for await (const files of parseTree(output, chunk)) chunks.push(files);
  return chunks;
}

describe('parseTree', () => {
  const output = Buffer.concat([
    line('100644', 'blob', '12', 'README.md'),
    line('100755', 'blob', '1234567890', 'bin/run'),
    line('120000', 'blob', '6', 'link'),
    line('160000', 'commit', '-', 'vendor/lib'),
    line('100644', 'blob', '0', 'tab\there\nand newline "quoted"'),
    line('100644', 'blob', '2', Buffer.from([0x62, 0xff, 0xfe, 0x5c])),
    line('100644', 'blob', '3', 'Zoë 中文'),
  ]);
  const files = [
    { path: 'README.md', bytes: 12 },
    { path: 'bin/run', bytes: 1_234_567_890 },
    { path: 'link', bytes: 6 },
    { path: 'tab\there\nand newline "quoted"', bytes: 0 },
    { path: 'b\\xff\\xfe\\\\', bytes: 2 },
    { path: 'Zoë 中文', bytes: 3 },
  ];

  it('lists blobs with their sizes, skips submodules, decodes any path', async () => {
    expect((await collectAll(pieces(output, 1 << 16))).flat()).toEqual(files);
  });

  it('reads entries cut anywhere and yields chunks of the given size', async () => {
    for (const size of [1, 3, 7, 64]) {
      const chunks = await collectAll(pieces(output, size), 4);
      expect(chunks.map((c) => c.length)).toEqual([4, 2]);
      expect(chunks.flat()).toEqual(files);
    }
  });

  it('yields nothing for an empty tree', async () => {
    expect(await collectAll(pieces(Buffer.alloc(0), 1))).toEqual([]);
  });

  it('refuses output cut in the middle of an entry', async () => {
    const cut = output.subarray(0, output.length - 3);
    const error = await collectAll(pieces(cut, 100)).catch((e: unknown) => e);
    expect(isMetreError(error, 'METRE_PARSE_ERROR')).toBe(true);
  });
});
