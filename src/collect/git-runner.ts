import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, read, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GitConfig } from '../config/index.js';
import { MetreError, type ErrorCode } from '../errors/index.js';
import { redactCredentials } from './source.js';

/** Options of one git invocation. */
export interface GitCall {
  /** The repository (its git dir) the command runs in; omitted for clone. */
  readonly gitDir?: string;
  /** Text written to git's standard input, which is then closed (e.g. revisions for --stdin). */
  readonly input?: string;
  /** Exit codes that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`). */
  readonly okCodes?: readonly number[];
  /** Protocols git may use for this call (GIT_ALLOW_PROTOCOL); remote calls set it. */
  readonly protocols?: readonly string[];
  /**
   * `stream` only: git writes into a file in this directory instead of a pipe, so it never waits
   * for the reader, whose pace then costs disk rather than git's time. The file is unlinked as
   * soon as it is open (nothing is left behind, even by a killed process) and read as it grows.
   */
  readonly spoolDir?: string;
}

/** What a finished git call printed. */
export interface GitResult {
  readonly stdout: string;
  readonly code: number;
}

/**
 * A running git process's output. git starts at once and keeps producing into a buffer while
 * nobody reads, so a stream can be started ahead of the moment it is consumed. Iterate it once;
 * `cancel()` ends git when the output will not be read to the end (safe to call at any time).
 */
export interface GitStream extends AsyncIterable<Uint8Array> {
  cancel(): Promise<void>;
}

/**
 * The only place that spawns git. Every call runs with no terminal prompt, no pager, no system or
 * global config, a timeout and a bounded stderr capture; a failure becomes a coded error naming
 * the repository.
 */
export interface GitRunner {
  /** Runs git and returns its whole (small) output. */
  run(args: readonly string[], call?: GitCall): Promise<GitResult>;
  /** Starts git now and yields its output as it comes, for outputs of any size. */
  stream(args: readonly string[], call?: GitCall): GitStream;
}

/** Flags that neutralise repository-level settings which would change what git prints. */
const SAFE_FLAGS = [
  '-c',
  'core.pager=cat',
  '-c',
  'protocol.ext.allow=never',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'log.showSignature=false',
  '-c',
  'diff.noprefix=false',
];

/** Large enough that git keeps producing while a batch is being stored. */
const STREAM_BUFFER_BYTES = 16 * 1024 * 1024;
/** A spool is read in chunks of this size... */
const SPOOL_CHUNK_BYTES = 256 * 1024;
/** ...and looked at again after this pause when the reader has caught up with a running git. */
const SPOOL_POLL_MS = 5;

class StderrTail {
  #chunks: Buffer[] = [];
  #bytes = 0;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    if (this.#bytes >= this.#limit) return;
    const kept = chunk.subarray(0, this.#limit - this.#bytes);
    this.#chunks.push(kept);
    this.#bytes += kept.length;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8').trim();
  }
}

const STDERR_CODES: readonly [RegExp, ErrorCode][] = [
  [/no space left on device/i, 'METRE_DISK_FULL'],
  [/not a git repository|does not appear to be a git repository/i, 'METRE_NOT_A_GIT_REPO'],
  [
    /could not resolve host|connection refused|repository .* not found|could not read (username|password)|authentication failed|permission denied|unable to access|could not read from remote|transport '.*' not allowed|unsupported protocol/i,
    'METRE_REPO_UNREACHABLE',
  ],
];

function codeForStderr(stderr: string): ErrorCode {
  return STDERR_CODES.find(([pattern]) => pattern.test(stderr))?.[1] ?? 'METRE_GIT_FAILED';
}

/** The first meaningful line git printed, without any credentials it may echo back. */
function firstLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '' && !l.startsWith('hint:')) ?? '';
  return redactCredentials(line.replace(/^(fatal|error): /, '').trim());
}

interface Spawned {
  readonly child: ChildProcess;
  readonly stderr: StderrTail;
  readonly exit: Promise<number>;
}

/**
 * Creates the git runner for one repository; `label` names it in errors.
 *
 * @example
 * const git = createGitRunner(config.git, 'metre');
 * const { stdout } = await git.run(['rev-parse', 'HEAD'], { gitDir });
 */
export function createGitRunner(config: GitConfig, label: string): GitRunner {
  const env = (call: GitCall): NodeJS.ProcessEnv => ({
    ...config.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=30',
    GIT_ALLOW_PROTOCOL: (call.protocols ?? ['file']).join(':'),
    GIT_OPTIONAL_LOCKS: '0',
    // Without it git flushes after every commit into a pipe: many tiny writes, measurably slower.
    GIT_FLUSH: '0',
    LC_ALL: 'C',
    ...(call.gitDir === undefined ? {} : { GIT_DIR: call.gitDir }),
  });

  const start = (
    args: readonly string[],
    call: GitCall,
    stdout: number | 'pipe' = 'pipe',
  ): Spawned => {
    const child = spawn('git', [...SAFE_FLAGS, ...args], {
      env: env(call),
      stdio: ['pipe', stdout, 'pipe'],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, config.timeoutMs);
    const stderr = new StderrTail(config.maxStderrBytes);
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin?.on('error', () => undefined); // git may exit before reading all its input
    child.stdin?.end(call.input ?? '');
    const exit = new Promise<number>((resolve, reject) => {
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(spawnError(error, label));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) {
          const seconds = config.timeoutMs / 1000;
          reject(
            new MetreError(
              'METRE_GIT_TIMEOUT',
              `git ${args[0]} took over ${seconds} s for ${label}`,
            ),
          );
        } else resolve(code ?? 1);
      });
    });
    exit.catch(() => undefined); // awaited by run() and stream(); this only marks it handled
    return { child, stderr, exit };
  };

  const check = (args: readonly string[], call: GitCall, code: number, stderr: StderrTail) => {
    if (code === 0 || call.okCodes?.includes(code)) return;
    const text = stderr.text();
    const detail = firstLine(text) || `exit code ${code}`;
    throw new MetreError(codeForStderr(text), `git ${args[0]} failed for ${label}: ${detail}`);
  };

  return {
    async run(args, call = {}) {
      const spawned = start(args, call);
      const out: Buffer[] = [];
      spawned.child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      const code = await spawned.exit;
      check(args, call, code, spawned.stderr);
      return { stdout: Buffer.concat(out).toString('utf8'), code };
    },

    stream(args, call = {}) {
      if (call.spoolDir !== undefined) return spool(args, call, call.spoolDir);
      const spawned = start(args, call);
      const buffer = new PassThrough({ highWaterMark: STREAM_BUFFER_BYTES });
      spawned.child.stdout?.pipe(buffer);
      let finished = false;
      const cancel = async () => {
        if (!finished) spawned.child.kill('SIGKILL');
        await spawned.exit.catch(() => undefined);
      };
      async function* chunks(): AsyncGenerator<Uint8Array> {
        try {
          for await (const chunk of buffer) yield chunk as Uint8Array;
          const code = await spawned.exit;
          finished = true;
          check(args, call, code, spawned.stderr);
        } finally {
          await cancel(); // a consumer that stops early must not leave git running
        }
      }
      return { [Symbol.asyncIterator]: chunks, cancel };
    },
  };

  /** `stream` through a spool file: git's stdout is the file, read back as it grows. */
  function spool(args: readonly string[], call: GitCall, dir: string): GitStream {
    const fd = openSpool(dir, label);
    let spawned: Spawned;
    try {
      spawned = start(args, call, fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return followSpool(fd, spawned, (code) => check(args, call, code, spawned.stderr));
  }
}

/** Creates a spool file readable and writable by this user only, and unlinks it at once. */
function openSpool(dir: string, label: string): number {
  try {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `git-${process.pid}-${randomUUID()}`);
    const fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path); // git and the reader keep it through their descriptors
    return fd;
  } catch (error) {
    const code =
      (error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'METRE_DISK_FULL' : 'METRE_GIT_FAILED';
    throw new MetreError(
      code,
      `Cannot spool git's output under ${dir} for ${label}: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads a spool while git writes it: what is there, then, once the reader has caught up, again
 * after a short pause, until git has exited and the file is read to its end. The descriptor
 * (shared with git, whose writes move its offset; reads here give their own position) is closed
 * by the reader when it ends, or by `cancel` when nobody reads.
 */
function followSpool(fd: number, spawned: Spawned, check: (code: number) => void): GitStream {
  let exited = false;
  let finished = false;
  let reading = false;
  let closed = false;
  spawned.exit.then(
    () => (exited = true),
    () => (exited = true),
  );
  const close = () => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  const cancel = async () => {
    if (!finished) spawned.child.kill('SIGKILL');
    await spawned.exit.catch(() => undefined);
    if (!reading) close(); // a reader closes it itself, never under a read in flight
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    reading = true;
    const buffer = Buffer.allocUnsafe(SPOOL_CHUNK_BYTES);
    let position = 0;
    try {
      for (;;) {
        const ended = exited; // looked at before reading: a read after the exit finds every byte
        const bytes = await readAt(fd, buffer, position);
        if (bytes > 0) {
          position += bytes;
          yield Buffer.from(buffer.subarray(0, bytes)); // a copy: the buffer is read into again
        } else if (ended) break;
        else await Promise.race([sleep(SPOOL_POLL_MS), spawned.exit.catch(() => undefined)]);
      }
      const code = await spawned.exit;
      finished = true;
      check(code);
    } finally {
      reading = false;
      await cancel(); // a consumer that stops early must not leave git running
      close();
    }
  }
  return { [Symbol.asyncIterator]: chunks, cancel };
}

function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, position, (error, bytes) =>
      error ? reject(error) : resolve(bytes),
    );
  });
}

function spawnError(error: NodeJS.ErrnoException, label: string): MetreError {
  if (error.code === 'ENOENT') {
    return new MetreError('METRE_GIT_NOT_INSTALLED', 'git was not found on PATH; install git');
  }
  return new MetreError('METRE_GIT_FAILED', `git could not start for ${label}: ${error.message}`);
}
