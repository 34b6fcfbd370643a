// A uPlot chart as a Preact component: built when mounted or when its options change, resized
// with its box, destroyed when unmounted. The canvas is a picture for sighted readers; the
// `label` names what it shows and every chart has a data table beside it for everyone else.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartProps {
  /** Builds the options for a given width (uPlot needs pixel sizes). */
  options: (width: number) => uPlot.Options;
  data: uPlot.AlignedData;
  label: string;
  height?: number;
  testId?: string;
}

export function UPlotChart({ options, data, label, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const width = () => Math.max(280, Math.floor(el.clientWidth));
    let chart = new uPlot(options(width()), data, el);
    let lastWidth = width();
    const observer = new ResizeObserver(() => {
      const w = width();
      if (w === lastWidth) return;
      lastWidth = w;
      chart.destroy();
      chart = new uPlot(options(w), data, el);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [options, data]);
  return <div ref={box} class="chart" role="img" aria-label={label} data-testid={testId} />;
}

/** Colours chosen for at least 4.5:1 contrast on white (lines and their legend text). */
export const COLOURS = {
  realisation: '#8c1c13',
  realisationFill: 'rgba(140, 28, 19, 0.08)',
  commitment: '#1f4e79',
  target: '#5a5a5a',
  projection: '#9a4a00',
  bar: '#1f4e79',
  barAlt: '#8c1c13',
  grid: '#e3e3e3',
  axis: '#333333',
};

export const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'font' | 'grid' | 'ticks'> {
  return {
    stroke: COLOURS.axis,
    font: AXIS_FONT,
    grid: { stroke: COLOURS.grid, width: 1 },
    ticks: { stroke: COLOURS.grid, width: 1 },
  };
}

/** An axis wide enough for its longest tick label (uPlot sizes axes in pixels, not text). */
export function labelSize(_u: uPlot, values: string[] | null): number {
  const longest = Math.max(3, ...(values ?? []).map((v) => v.length));
  return Math.ceil(longest * 7.2 + 18);
}
