// Bars over named categories (channels, batches), drawn by uPlot's bar path builder; horizontal
// when the category names are long.
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import { axisStyle, COLOURS, labelSize, UPlotChart } from './uplot-chart.js';

export interface BarChartProps {
  categories: string[];
  values: number[];
  /** The legend's name of the categories, e.g. "Batch". */
  categoryLabel: string;
  seriesLabel: string;
  /** Axis and legend text of a value. */
  format: (value: number) => string;
  label: string;
  colour?: string;
  horizontal?: boolean;
  testId?: string;
}

const bars = uPlot.paths.bars!({ size: [0.6, 56], align: 0 });

export function BarChart(props: BarChartProps) {
  const { categories, values, categoryLabel, seriesLabel, format, label, colour, horizontal, testId } = props;
  const data = useMemo<uPlot.AlignedData>(() => [categories.map((_, i) => i), values], [categories, values]);
  const options = useMemo(
    () =>
      (width: number): uPlot.Options => {
        const categoryAxis: uPlot.Axis = {
          ...axisStyle(),
          grid: { show: false },
          splits: () => categories.map((_, i) => i),
          values: (_u, splits) => splits.map((i) => categories[i] ?? ''),
          ...(horizontal
            ? {
                side: 3,
                // On a phone the labels may take at most half the width: the bars need the rest.
                size: Math.min(200, width * 0.5, 16 + 7 * Math.max(0, ...categories.map((c) => c.length))),
              }
            : {}),
        };
        const valueAxis: uPlot.Axis = {
          ...axisStyle(),
          size: horizontal ? 32 : labelSize,
          // Narrow charts keep at least three value ticks (not a lone "Rp0").
          space: horizontal ? (width < 500 ? 48 : 80) : 40,
          values: (_u, splits) => splits.map((v) => format(v)),
          ...(horizontal ? { side: 2 } : {}),
        };
        return {
          width,
          height: horizontal ? Math.max(180, 44 * categories.length + 60) : 260,
          scales: {
            x: {
              time: false,
              range: [-0.6, categories.length - 0.4],
              ...(horizontal ? { ori: 1 as const, dir: -1 as const } : {}),
            },
            y: { range: (_u, _min, max) => [0, max * 1.1 || 1], ...(horizontal ? { ori: 0 as const } : {}) },
          },
          cursor: { drag: { x: false, y: false }, points: { show: false } },
          legend: { show: true, live: true },
          axes: [categoryAxis, valueAxis],
          series: [
            { label: categoryLabel, value: (_u, i) => (i == null ? '—' : (categories[i] ?? '')) },
            {
              label: seriesLabel,
              stroke: colour ?? COLOURS.bar,
              fill: colour ?? COLOURS.bar,
              width: 0,
              paths: bars,
              points: { show: false },
              value: (_u, v) => (v == null ? '—' : format(v)),
            },
          ],
        };
      },
    [categories, categoryLabel, seriesLabel, format, colour, horizontal],
  );
  return <UPlotChart options={options} data={data} label={label} testId={testId} />;
}
