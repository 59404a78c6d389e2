import type { CollectEvent, PassEvent } from '../collect/index.js';

/** Shows a collection's progress: a live bar on a terminal, a plain line now and then elsewhere. */
export interface ProgressView {
  readonly onProgress: (event: CollectEvent) => void;
  /** Clears the live line before the final summary is printed. */
  end(): void;
}

const PLAIN_INTERVAL_MS = 5_000;
const BAR_WIDTH = 24;

const number = (n: number) => n.toLocaleString('en-US');

function bar(done: number, total: number | null): string {
  if (total === null || total === 0) return '';
  const filled = Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH));
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] `;
}

function describe(event: PassEvent, startedAt: number, startDone: number): string {
  const seconds = (performance.now() - startedAt) / 1000;
  const rate = seconds > 0.1 ? (event.done - startDone) / seconds : 0;
  const of = event.total === null ? '' : ` of ${number(event.total)}`;
  const left =
    event.total === null || rate === 0
      ? ''
      : ` ETA ${Math.ceil((event.total - event.done) / rate)} s`;
  const label = event.phase === 'commits' ? 'commits' : 'file changes of commits';
  const speed = rate > 0 ? `, ${number(Math.round(rate))}/s` : '';
  return `${event.repository}: ${bar(event.done, event.total)}${label} ${number(event.done)}${of}${speed}${left}`;
}

/**
 * Creates the progress view for a stream.
 *
 * @example const view = createProgressView(process.stderr, process.stderr.isTTY);
 */
export function createProgressView(out: NodeJS.WritableStream, isTTY: boolean): ProgressView {
  let phase = '';
  let startedAt = performance.now();
  let startDone = 0;
  let lastPlain = -Infinity;
  let live = false;
  return {
    onProgress(event) {
      if (event.phase !== phase) {
        phase = event.phase;
        startedAt = performance.now();
        startDone = 'done' in event ? event.done : 0;
        lastPlain = -Infinity;
      }
      if (event.phase === 'fetch') {
        if (!isTTY) out.write(`${event.repository}: fetching\n`);
        return;
      }
      const line = describe(event, startedAt, startDone);
      if (isTTY) {
        out.write(`\r\u001b[K${line}`);
        live = true;
      } else if (performance.now() - lastPlain >= PLAIN_INTERVAL_MS) {
        out.write(`${line}\n`);
        lastPlain = performance.now();
      }
    },
    end() {
      if (live) out.write('\r\u001b[K');
      live = false;
    },
  };
}
