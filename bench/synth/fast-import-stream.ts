import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** Bytes buffered before one write to git. */
const CHUNK_BYTES = 256 * 1024;
/**
 * Bytes allowed to wait in the pipe's queue before the generator pauses: enough that git never
 * starves while the generator makes the next chunk, little enough to keep memory flat.
 */
const QUEUE_BYTES = 4 << 20;
const MAX_STDERR = 64 * 1024;

/**
 * glibc returns freed heap to the kernel after each object fast-import deflates and takes it back
 * for the next, two `brk` calls per object that made git spend most of its time in the kernel
 * (50 s instead of 7 s for 10,000 commits). A high trim threshold keeps the heap; other C
 * libraries ignore these variables.
 */
const MALLOC_TUNING = {
  MALLOC_TRIM_THRESHOLD_: String(256 << 20),
  MALLOC_TOP_PAD_: String(64 << 20),
};

/**
 * Quotes a path for fast-import the way git quotes C strings: left as it is when it holds only
 * printable ASCII without spaces, else in double quotes with `\"`, `\\`, `\t`, `\n` and octal
 * escapes for every other byte. `path` holds one byte per char (latin1).
 *
 * @example quotePath('a b/caf\xe9') === '"a b/caf\\351"'
 */
export function quotePath(path: string): string {
  if (!/[^\x21-\x7e]|["\\]/.test(path)) return path;
  let quoted = '"';
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) quoted += `\\${path[i]}`;
    else if (code === 0x0a) quoted += '\\n';
    else if (code === 0x09) quoted += '\\t';
    else if (code < 0x20 || code > 0x7e) quoted += `\\${code.toString(8).padStart(3, '0')}`;
    else quoted += path[i];
  }
  return `${quoted}"`;
}

/**
 * One `git fast-import` process fed through its stdin. Commands are buffered as text and bytes;
 * `flush` writes a chunk once enough has accumulated and, when a few megabytes already wait
 * for git, waits for the pipe to drain: the generator never runs far ahead of git.
 */
export class FastImportStream {
  readonly #child: ChildProcess;
  readonly #closed: Promise<number>;
  /** Rejects once git exits: a drain that never comes must not hang the generator. */
  readonly #died: Promise<never>;
  #text = '';
  #parts: Buffer[] = [];
  #size = 0;
  #stderr = '';

  constructor(gitDir: string, args: readonly string[]) {
    this.#child = spawn('git', ['-C', gitDir, 'fast-import', ...args], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, ...MALLOC_TUNING },
    });
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      if (this.#stderr.length < MAX_STDERR) this.#stderr += chunk;
    });
    // A broken pipe shows as the exit below, with git's own message on stderr.
    this.#child.stdin?.on('error', () => undefined);
    this.#closed = new Promise((resolve, reject) => {
      this.#child.on('error', reject);
      this.#child.on('close', (code) => resolve(code ?? -1));
    });
    this.#died = this.#closed.then((code) => Promise.reject(this.#failure(code)));
    this.#died.catch(() => undefined);
  }

  /** Appends a command or any UTF-8 text. */
  text(text: string): void {
    this.#text += text;
    this.#size += text.length;
  }

  /** Appends raw bytes (binary blobs, Latin-1 headers). */
  bytes(bytes: Buffer): void {
    this.#takeText();
    this.#parts.push(bytes);
    this.#size += bytes.length;
  }

  /** A `data` command with its exact byte count. */
  data(content: string | Buffer): void {
    if (typeof content === 'string') {
      this.text(`data ${Buffer.byteLength(content)}\n${content}\n`);
    } else {
      this.text(`data ${content.length}\n`);
      this.bytes(content);
      this.text('\n');
    }
  }

  /** Writes what is buffered once it is large enough, waiting while git's pipe is full. */
  async flush(force = false): Promise<void> {
    if (!force && this.#size < CHUNK_BYTES) return;
    this.#takeText();
    const chunk = Buffer.concat(this.#parts);
    this.#parts = [];
    this.#size = 0;
    const stdin = this.#child.stdin;
    if (stdin === null) throw new Error('git fast-import has no stdin');
    stdin.write(chunk);
    if (stdin.writableLength > QUEUE_BYTES) {
      await Promise.race([once(stdin, 'drain').catch(() => this.#died), this.#died]);
    }
  }

  /** Sends `done`, closes stdin and waits for git to write its pack and refs. */
  async finish(): Promise<void> {
    this.text('done\n');
    await this.flush(true);
    this.#child.stdin?.end();
    const code = await this.#closed;
    if (code !== 0) throw this.#failure(code);
  }

  /** Stops git without waiting for the rest of the stream (after an error in the generator). */
  abort(): void {
    this.#child.kill();
  }

  #failure(code: number): Error {
    return new Error(`git fast-import exited with ${code}: ${this.#stderr.trim()}`);
  }

  #takeText(): void {
    if (this.#text === '') return;
    this.#parts.push(Buffer.from(this.#text, 'utf8'));
    this.#text = '';
  }
}
