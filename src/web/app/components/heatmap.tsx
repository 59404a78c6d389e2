import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { HeatmapCell } from '../api/types.js';
import { prepareCanvas, useContainerWidth } from '../lib/canvas.js';
import { mix, usePalette } from '../lib/theme.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const LEFT = 36;
const TOP = 18;

/**
 * The punch card: commits per weekday (rows, Monday first) × hour (columns), darker for more,
 * drawn on a canvas sized to its container.
 *
 * @example <Heatmap cells={result.cells} label="Commits by weekday and hour" />
 */
export function Heatmap(props: { readonly cells: readonly HeatmapCell[]; readonly label: string }) {
  const palette = usePalette();
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useContainerWidth(canvas, 600, 240);
  const [hover, setHover] = useState<HeatmapCell | null>(null);

  const cellWidth = (width - LEFT) / 24;
  const cellHeight = Math.max(14, Math.min(cellWidth, 28));
  const height = TOP + cellHeight * 7;

  useLayoutEffect(() => {
    const ctx = prepareCanvas(canvas.current, width, height);
    if (ctx === null) return;
    const max = Math.max(1, ...props.cells.map((c) => c.value));
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = palette.muted;
    ctx.textBaseline = 'middle';
    DAYS.forEach((day, i) => ctx.fillText(day, 2, TOP + cellHeight * (i + 0.5)));
    ctx.textAlign = 'center';
    for (let hour = 0; hour < 24; hour += cellWidth < 22 ? 3 : 1) {
      ctx.fillText(String(hour), LEFT + cellWidth * (hour + 0.5), TOP / 2);
    }
    for (const cell of props.cells) {
      const x = LEFT + cellWidth * cell.hour;
      const y = TOP + cellHeight * (cell.weekday - 1);
      ctx.fillStyle = mix(palette.heatLow, palette.heatHigh, Math.sqrt(cell.value / max));
      ctx.fillRect(x + 1, y + 1, cellWidth - 2, cellHeight - 2);
    }
  }, [props.cells, palette, width, height, cellWidth, cellHeight]);

  const onMove = (event: MouseEvent) => {
    const hour = Math.floor((event.offsetX - LEFT) / cellWidth);
    const weekday = Math.floor((event.offsetY - TOP) / cellHeight) + 1;
    setHover(props.cells.find((c) => c.hour === hour && c.weekday === weekday) ?? null);
  };

  const busiest = props.cells.reduce<HeatmapCell | undefined>(
    (best, c) => (best === undefined || c.value > best.value ? c : best),
    undefined,
  );
  const summary = busiest
    ? `${props.label}. Busiest: ${DAYS[busiest.weekday - 1]} ${busiest.hour}h with ${busiest.value} commits.`
    : props.label;
  return (
    <div class="heatmap">
      <canvas
        ref={canvas}
        role="img"
        aria-label={summary}
        width={width}
        height={height}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
      />
      <p class="hint" aria-live="polite">
        {hover
          ? `${DAYS[hover.weekday - 1]} ${hover.hour}:00–${hover.hour}:59: ${hover.value} commits`
          : summary}
      </p>
    </div>
  );
}
