import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { usePalette, type Palette } from '../lib/theme.js';

/** One line (or bar series) of a time chart. */
export interface Series {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly bars?: boolean;
  /** A second y axis on the right (for a measure on another scale). */
  readonly right?: boolean;
}

/** The x range shown, in seconds since the epoch; null shows all. */
export type Zoom = readonly [number, number] | null;

export interface TimeChartProps {
  /** Bucket starts, seconds since the epoch, ascending. */
  readonly x: readonly number[];
  readonly series: readonly Series[];
  /** What the chart shows, for screen readers. */
  readonly label: string;
  readonly height?: number;
  readonly zoom?: Zoom;
  readonly onZoom?: (zoom: Zoom) => void;
}

const barPaths = uPlot.paths.bars?.({ size: [0.7, 40] });

function options(props: TimeChartProps, palette: Palette, width: number): uPlot.Options {
  const axis = {
    stroke: palette.muted,
    grid: { stroke: palette.grid },
    ticks: { stroke: palette.grid },
  };
  const hasRight = props.series.some((s) => s.right);
  return {
    width,
    height: props.height ?? 220,
    cursor: { drag: { x: true, y: false, setScale: true } },
    legend: { live: true },
    scales: { x: { time: true }, ...(hasRight ? { right: { auto: true } } : {}) },
    axes: [
      axis,
      { ...axis, size: 56 },
      ...(hasRight ? [{ ...axis, scale: 'right', side: 1, grid: { show: false }, size: 48 }] : []),
    ],
    series: [
      {},
      ...props.series.map((s, i) => {
        const color = palette.series[i % palette.series.length] ?? palette.text;
        return {
          label: s.label,
          stroke: color,
          width: 2,
          ...(s.right ? { scale: 'right' } : {}),
          ...(s.bars ? { paths: barPaths, fill: `${color}cc`, points: { show: false } } : {}),
        };
      }),
    ],
  };
}

/** Zooms around the centre (`factor` < 1 in, > 1 out) or pans by a share of the width. */
function step(u: uPlot, factor: number, pan: number, extent: readonly [number, number]) {
  const { min = extent[0], max = extent[1] } = u.scales.x ?? {};
  const span = (max - min) * factor;
  const centre = (min + max) / 2 + (max - min) * pan;
  const lo = Math.max(extent[0], centre - span / 2);
  const hi = Math.min(extent[1], lo + span);
  if (hi > lo) u.setScale('x', { min: lo, max: hi });
}

/**
 * A time series chart drawn by uPlot: drag to zoom, double-click to reset; with the keyboard,
 * `+`/`-` zoom, arrows pan, `0` resets. Resizes with its container and follows the colour scheme.
 *
 * @example <TimeChart x={[0, 86400]} series={[{ label: 'commits', values: [1, 2] }]} label="Commits" />
 */
export function TimeChart(props: TimeChartProps) {
  const palette = usePalette();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;
  const first = props.x[0] ?? 0;
  const last = props.x.at(-1) ?? 0;

  const zoomRef = useRef(props.zoom);
  zoomRef.current = props.zoom;

  useLayoutEffect(() => {
    const el = box.current;
    if (el === null) return;
    const data = [props.x, ...props.series.map((s) => s.values)] as unknown as uPlot.AlignedData;
    let u: uPlot | null = null;
    // The chart is made in the observer's first callback, which reports the width after layout:
    // reading clientWidth here would force a layout of the page for every chart.
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.max(Math.floor(entry?.contentRect.width ?? 0), 200);
      if (u !== null) return u.setSize({ width, height: u.height });
      const opts = options(props, palette, width);
      opts.hooks = {
        setScale: [
          (chart, key) => {
            if (key !== 'x') return;
            const { min, max } = chart.scales.x ?? {};
            if (min === undefined || max === undefined) return;
            const whole = min <= first && max >= last;
            onZoom.current?.(whole ? null : [min, max]);
          },
        ],
      };
      u = new uPlot(opts, data, el);
      plot.current = u;
      const zoom = zoomRef.current;
      if (zoom) u.setScale('x', { min: zoom[0], max: zoom[1] });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u?.destroy();
      plot.current = null;
    };
    // Rebuilt when the data or the colours change; zoom changes are applied below.
  }, [props.x, props.series, palette, props.height]);

  useEffect(() => {
    const u = plot.current;
    if (u === null) return;
    const [min, max] = props.zoom ?? [first, last];
    if (u.scales.x?.min !== min || u.scales.x?.max !== max) u.setScale('x', { min, max });
  }, [props.zoom, first, last]);

  const onKey = (event: KeyboardEvent) => {
    const u = plot.current;
    if (u === null || props.x.length < 2) return;
    const extent = [first, last] as const;
    const moves: Record<string, () => void> = {
      '+': () => step(u, 0.5, 0, extent),
      '=': () => step(u, 0.5, 0, extent),
      '-': () => step(u, 2, 0, extent),
      ArrowLeft: () => step(u, 1, -0.25, extent),
      ArrowRight: () => step(u, 1, 0.25, extent),
      '0': () => u.setScale('x', { min: first, max: last }),
      Escape: () => u.setScale('x', { min: first, max: last }),
    };
    const move = moves[event.key];
    if (move !== undefined) {
      event.preventDefault();
      move();
    }
  };

  return (
    <div
      class="chart"
      ref={box}
      role="img"
      aria-label={`${props.label}. Keys: plus and minus zoom, arrows pan, 0 resets.`}
      tabIndex={0}
      onKeyDown={onKey}
    />
  );
}
