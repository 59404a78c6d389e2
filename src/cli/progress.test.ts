import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressView } from './progress.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('the progress view', () => {
  it('redraws one line on a terminal, with a bar once the total is known', () => {
    const out = sink();
    const view = createProgressView(out.stream, true);
    view.onProgress({ phase: 'fetch', repository: 'r' });
    view.onProgress({ phase: 'commits', repository: 'r', done: 500, total: 1000 });
    view.end();
    // eslint-disable-next-line no-control-regex -- the terminal escape is what is tested
    expect(out.text()).toMatch(/^\r\u001b\[Kr: \[#{12}\.{12}\] commits 500 of 1,000/);
    expect(out.text().endsWith('\r\u001b[K')).toBe(true);
    expect(out.text()).not.toContain('\n');
  });

  it('prints plain lines elsewhere: each phase at once, then at most every few seconds', () => {
    const out = sink();
    const view = createProgressView(out.stream, false);
    view.onProgress({ phase: 'fetch', repository: 'r' });
    view.onProgress({ phase: 'commits', repository: 'r', done: 10, total: null });
    view.onProgress({ phase: 'commits', repository: 'r', done: 20, total: null });
    view.onProgress({ phase: 'files', repository: 'r', done: 10, total: 20 });
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toEqual([
      'r: fetching',
      'r: commits 10',
      expect.stringMatching(/^r: \[#{12}\.{12}\] file changes of commits 10 of 20/),
    ]);
  });
});
