import type { RefObject } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';

/**
 * The width of a canvas' container, followed as it resizes (from the observer's entries, which
 * come after layout: no forced layout).
 *
 * @example const width = useContainerWidth(canvas, 600, 240);
 */
export function useContainerWidth(
  canvas: RefObject<HTMLCanvasElement | null>,
  initial: number,
  min: number,
): number {
  const [width, setWidth] = useState(initial);
  useLayoutEffect(() => {
    const el = canvas.current?.parentElement;
    if (el === null || el === undefined) return;
    const observer = new ResizeObserver(([entry]) =>
      setWidth(Math.max(Math.floor(entry?.contentRect.width ?? min), min)),
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return width;
}

/**
 * Sizes a canvas for the screen's pixel ratio and clears it; the context draws in CSS pixels.
 * Null when the canvas is gone.
 */
export function prepareCanvas(
  el: HTMLCanvasElement | null,
  width: number,
  height: number,
): CanvasRenderingContext2D | null {
  const ctx = el?.getContext('2d');
  if (el === null || el === undefined || ctx === null || ctx === undefined) return null;
  const ratio = devicePixelRatio || 1;
  el.width = Math.round(width * ratio);
  el.height = Math.round(height * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}
