import { once } from 'node:events';
import { createServer } from 'node:http';
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
    const [{ buildApi, pinoFormatLine }, { getRequestListener }] = await Promise.all([
      import('../api/index.js'),
      import('@hono/node-server'),
    ]);
    const log = requestLogger(config.logLevel);
    const app = buildApi({
      config: config.api,
      allowLocal: config.collect.allowLocal,
      computeWaitMs: config.computeWaitMs,
      store,
      queue,
      engine,
      logger: log.logger,
      requestLine: pinoFormatLine(log.lineOptions),
      webDir: config.api.webDir ?? join(options.ownRepository, 'dist', 'web'),
      cwd,
      version: versionOf(options.ownRepository),
    });
    // What @hono/node-server's `serve` does, with the API's front first: it answers cached metric
    // requests before the adapter builds a fetch Request for them (the hot path of a dashboard).
    const adapter = getRequestListener(app.fetch, { hostname: config.api.host });
    const server = createServer((req, res) => app.front(req, res) || void adapter(req, res));
    server.listen(config.api.port, config.api.host);
    // `once` rejects with the server's 'error' event (a port in use) before it listens.
    await once(server, 'listening').catch((error: unknown) => {
      log.close();
      throw listenError(error, config.api);
    });
    const { port } = server.address() as AddressInfo;
    const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host;
    return {
      url: `http://${host}:${port}/`,
      close: () =>
        new Promise<void>((done) => {
          server.close(() => {
            log.close();
            done();
          });
          server.closeIdleConnections();
        }),
    };
  };
}

/**
 * The request log: a line per request, on stderr like the role's own log, but gathered. The
 * request lines are made as pino would make them, without pino (see `pinoFormatLine`, a third of
 * pino's cost); the role's other lines by pino. Each line is encoded into a buffer as soon as it
 * is made (while the string is still in the processor's caches), and the buffer goes to a
 * synchronous pino destination (a plain write, no worker thread, retried when the pipe is full)
 * once it holds 64 KB, at least every second, when the role closes and when the process exits. At
 * thousands of requests a second a write per line would cost the API a fifth of its time, and
 * joining the strings later (or sonic-boom's own buffer of strings) reads them all again, from
 * memory: two thirds of the log's time in a profile.
 */
function requestLogger(level: Config['logLevel']) {
  // In 'buffer' mode sonic-boom takes bytes; its types only name strings.
  const destination = pino.destination({ dest: 2, sync: true, contentMode: 'buffer' });
  const lines = lineBuffer(destination as unknown as { write(bytes: Buffer): unknown });
  const timer = setInterval(lines.flush, 1000).unref();
  process.on('exit', lines.flush);
  const base = { role: 'api', pid: process.pid };
  const logger = pino({ level, base }, lines);
  return {
    logger,
    /** Request lines as this logger writes them, to the same buffer (see `pinoFormatLine`). */
    lineOptions: {
      info: logger.isLevelEnabled('info'),
      error: logger.isLevelEnabled('error'),
      bindings: base,
      write: lines.write,
    },
    close() {
      clearInterval(timer);
      process.off('exit', lines.flush);
      lines.flush();
    },
  };
}

/** How many bytes of lines are gathered before they are written (fewer, larger writes cost less). */
const FLUSH_BYTES = 65_536;

/** Lines encoded into a buffer as they come, handed on 64 KB at a time or when flushed. */
function lineBuffer(destination: { write(bytes: Buffer): unknown }) {
  let buffer = Buffer.allocUnsafe(2 * FLUSH_BYTES);
  let used = 0;
  const flush = () => {
    if (used === 0) return;
    destination.write(buffer.subarray(0, used));
    buffer = Buffer.allocUnsafe(buffer.length); // never reuse bytes handed on
    used = 0;
  };
  return {
    write(line: string) {
      const most = 3 * line.length; // UTF-8 bytes of a UTF-16 string, at most
      if (used + most > buffer.length) flush();
      if (most > buffer.length) destination.write(Buffer.from(line, 'utf8'));
      else used += buffer.write(line, used, 'utf8');
      if (used >= FLUSH_BYTES) flush();
    },
    flush,
  };
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
