import { useLayoutEffect, useRef } from 'preact/hooks';
import { formatCell } from '../lib/format.js';
import { prepareCanvas, useContainerWidth } from '../lib/canvas.js';
import { usePalette } from '../lib/theme.js';

export interface Bar {
  readonly label: string;
  readonly value: number;
}

const ROW = 22;

/**
 * Horizontal bars on a canvas, one per item, largest scale first.
 *
 * @example <BarChart bars={[{ label: 'TypeScript', value: 120 }]} label="Bytes per language" />
 */
export function BarChart(props: {
  readonly bars: readonly Bar[];
  readonly label: string;
  readonly unit?: string;
}) {
  const palette = usePalette();
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useContainerWidth(canvas, 400, 200);
  const height = Math.max(ROW, props.bars.length * ROW) + 4;

  useLayoutEffect(() => {
    const ctx = prepareCanvas(canvas.current, width, height);
    if (ctx === null) return;
    const labelWidth = Math.min(160, width * 0.35);
    const max = Math.max(1e-9, ...props.bars.map((b) => b.value));
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    props.bars.forEach((bar, i) => {
      const y = i * ROW + 2;
      const length = ((width - labelWidth - 70) * bar.value) / max;
      ctx.fillStyle = palette.text;
      ctx.textAlign = 'right';
      ctx.fillText(bar.label.slice(0, 24), labelWidth - 6, y + ROW / 2);
      ctx.fillStyle = palette.series[i % palette.series.length] ?? palette.text;
      ctx.fillRect(labelWidth, y + 3, Math.max(1, length), ROW - 6);
      ctx.fillStyle = palette.muted;
      ctx.textAlign = 'left';
      ctx.fillText(formatCell(bar.value, props.unit ?? ''), labelWidth + length + 6, y + ROW / 2);
    });
  }, [props.bars, palette, width, height, props.unit]);

  const summary = props.bars
    .slice(0, 5)
    .map((b) => `${b.label} ${formatCell(b.value, props.unit ?? '')}`)
    .join(', ');
  return (
    <div class="bars">
      <canvas
        ref={canvas}
        role="img"
        aria-label={`${props.label}: ${summary}`}
        width={width}
        height={height}
      />
    </div>
  );
}
