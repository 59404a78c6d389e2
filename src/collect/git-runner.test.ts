import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { isMetreError } from '../errors/index.js';
import { createGitRunner } from './git-runner.js';
import { redactCredentials } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'metre-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = loadConfig({ PATH: process.env.PATH, HOME: dir });
const git = createGitRunner(config.git, 'repository "demo"');

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('the git runner', () => {
  it('runs git without the user’s or the system’s config', async () => {
    const { stdout } = await git.run(['-C', dir, 'config', '--list', '--show-origin']);
    expect(stdout).not.toMatch(/^file:/m); // only the -c flags the runner passes itself
    expect(stdout).toContain('command line:');
  });

  it('maps a failure to a coded error naming the repository', async () => {
    const error = await failure(git.run(['log'], { gitDir: join(dir, 'nothing') }));
    expect(isMetreError(error, 'METRE_NOT_A_GIT_REPO')).toBe(true);
    expect((error as Error).message).toMatch(/^git log failed for repository "demo": /);
  });

  it('treats listed exit codes as answers', async () => {
    const result = await git.run(['config', '--get', 'no.such'], { okCodes: [1] });
    expect(result.code).toBe(1);
  });

  it('kills git after the timeout', async () => {
    // A server that accepts connections and never answers: git waits on it until killed.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const slow = createGitRunner({ ...config.git, timeoutMs: 300 }, 'slow');
    const started = performance.now();
    try {
      const error = await failure(
        slow.run(['ls-remote', `git://127.0.0.1:${port}/r.git`], { protocols: ['git'] }),
      );
      expect(isMetreError(error, 'METRE_GIT_TIMEOUT')).toBe(true);
      expect((error as Error).message).toMatch(/took over 0.3 s for slow/);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });

  it('streams output and stops git when the reader stops early', async () => {
    const init = await git.run(['init', '-q', '--bare', join(dir, 'bare.git')]);
    expect(init.code).toBe(0);
    const stream = git.stream(['help', '-a']);
    for await (const chunk of stream) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await stream.cancel(); // idempotent after an early stop
  });

  it('never prints credentials back', () => {
    expect(redactCredentials("fatal: unable to access 'https://ada:s3cret@host/r.git/'")).toBe(
      "fatal: unable to access 'https://host/r.git/'",
    );
  });
});
