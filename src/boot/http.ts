import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Config } from '../config/index.js';
import { MetreError } from '../errors/index.js';
import type { HttpRole, Services, StartHttp } from './roles.js';

/**
 * Starts the REST API and the dashboard's files over a role's services: builds the app with
 * `buildApi` and listens on METRE_API_HOST:METRE_API_PORT (`--port`). The only place the API
 * listens. Hono and the node adapter load only when a role serves HTTP.
 *
 * @example const startHttp = httpStarter({ ownRepository: '/srv/metre' });
 */
export function httpStarter(options: { ownRepository: string }): StartHttp {
  return async (services: Services): Promise<HttpRole> => {
    const { config, store, queue, engine, cwd } = services;
    const [{ buildApi }, { serve }] = await Promise.all([
      import('../api/index.js'),
      import('@hono/node-server'),
    ]);
    const app = buildApi({
      config: config.api,
      allowLocal: config.collect.allowLocal,
      computeWaitMs: config.computeWaitMs,
      store,
      queue,
      engine,
      logger: requestLogger(config.logLevel),
      webDir: config.api.webDir ?? join(options.ownRepository, 'dist', 'web'),
      cwd,
      version: versionOf(options.ownRepository),
    });
    const server = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port });
    // `once` rejects with the server's 'error' event (a port in use) before it listens.
    await once(server, 'listening').catch((error: unknown) => {
      throw listenError(error, config.api);
    });
    const { port } = server.address() as AddressInfo;
    const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host;
    return {
      url: `http://${host}:${port}/`,
      close: () =>
        new Promise<void>((done) => {
          server.close(() => done());
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        }),
    };
  };
}

/**
 * The request log: a line per request, on stderr like the role's own log, but buffered: written
 * 4 KB at a time (a plain write, no worker thread) and at least every second. At thousands of
 * requests a second a write per line would cost the API a fifth of its time. pino flushes the
 * buffer when the process exits.
 */
function requestLogger(level: Config['logLevel']) {
  const destination = pino.destination({
    dest: 2,
    sync: true,
    minLength: 4096,
    periodicFlush: 1000,
  });
  return pino({ level, base: { role: 'api', pid: process.pid } }, destination);
}

function listenError(error: unknown, where: { host: string; port: number }): MetreError {
  const code = (error as { code?: string }).code;
  const reason = code === 'EADDRINUSE' ? 'is in use' : `cannot be used (${code ?? 'error'})`;
  return new MetreError(
    'METRE_CONFIG_INVALID',
    `Port ${where.port} on ${where.host} ${reason}: choose another with --port or METRE_API_PORT`,
    { cause: error },
  );
}

/** metre's version, from its package.json. */
function versionOf(root: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
