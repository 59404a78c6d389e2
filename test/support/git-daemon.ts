import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A `git daemon` on loopback serving every repository under `baseDir` over git://. */
export interface GitDaemon {
  readonly url: (repo: string) => string;
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startGitDaemon(baseDir: string): Promise<GitDaemon> {
  const port = 20_000 + Math.floor(Math.random() * 30_000);
  const child: ChildProcess = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      '--export-all',
      `--base-path=${baseDir}`,
      '--listen=127.0.0.1',
      `--port=${port}`,
      baseDir,
    ],
    {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1' },
    },
  );
  for (let i = 0; i < 100 && !(await listening(port)); i++) await sleep(50);
  return {
    url: (repo) => `git://127.0.0.1:${port}/${repo}`,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
