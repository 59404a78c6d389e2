import { useEffect, useState } from 'preact/hooks';

/** The colours canvases draw with, read from the stylesheet's custom properties. */
export interface Palette {
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  /** Series colours, in order. */
  readonly series: readonly string[];
  /** The heatmap's empty and full ends. */
  readonly heatLow: string;
  readonly heatHigh: string;
}

const DARK = matchMedia('(prefers-color-scheme: dark)');

/** The current palette (light or dark, as the reader's system prefers). */
export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    text: read('--text'),
    muted: read('--muted'),
    grid: read('--grid'),
    background: read('--surface'),
    series: [1, 2, 3, 4, 5, 6].map((i) => read(`--series-${i}`)),
    heatLow: read('--heat-low'),
    heatHigh: read('--heat-high'),
  };
}

/** The palette, re-read when the system switches between light and dark. */
export function usePalette(): Palette {
  const [palette, setPalette] = useState(readPalette);
  useEffect(() => {
    const update = () => setPalette(readPalette());
    DARK.addEventListener('change', update);
    return () => DARK.removeEventListener('change', update);
  }, []);
  return palette;
}

/** `#rrggbb` colours mixed: `t` = 0 gives `a`, 1 gives `b`. */
export function mix(a: string, b: string, t: number): string {
  const channels = (hex: string) =>
    [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) || 0);
  const [x, y] = [channels(a), channels(b)];
  const out = x.map((v, i) => Math.round(v + ((y[i] ?? 0) - v) * t));
  return `#${out.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
