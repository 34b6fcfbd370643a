// The year's cumulative PDN realisation by month against the commitment, the target due by each
// month and a dotted run-rate projection from the last month with data to December.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { formatMoneyShort, type Locale, monthName } from '../format.js';
import type { MessageKey } from '../i18n.js';
import { axisStyle, COLOURS, labelSize, UPlotChart } from './uplot-chart.js';

export interface CumulativePoint {
  month: number;
  realisation: number;
  targetToDate: number | null;
}

export interface CumulativeChartProps {
  points: CumulativePoint[];
  commitment: number | null;
  projectedYearEnd: number | null;
  locale: Locale;
  t: (key: MessageKey) => string;
  label: string;
}

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);

export function CumulativeChart({
  points,
  commitment,
  projectedYearEnd,
  locale,
  t,
  label,
}: CumulativeChartProps) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const byMonth = new Map(points.map((p) => [p.month, p]));
    const last = points.at(-1);
    const realisation = MONTHS.map((m) => byMonth.get(m)?.realisation ?? null);
    const target = MONTHS.map((m) => byMonth.get(m)?.targetToDate ?? null);
    const line = MONTHS.map(() => commitment);
    // The projection joins the last actual point to the projected year end in a straight line.
    const projection = MONTHS.map((m) => {
      if (!last || projectedYearEnd === null || m < last.month || last.month === 12) return null;
      return (
        last.realisation + ((projectedYearEnd - last.realisation) * (m - last.month)) / (12 - last.month)
      );
    });
    return [MONTHS, realisation, line, target, projection];
  }, [points, commitment, projectedYearEnd]);

  const options = useMemo(
    () =>
      (width: number): uPlot.Options => ({
        width,
        height: 300,
        scales: {
          x: { time: false, range: [0.5, 12.5] },
          y: { range: (_u, _min, max) => [0, max * 1.08 || 1] },
        },
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: true },
        axes: [
          {
            ...axisStyle(),
            // Twelve month names need room: every second or third month on narrow screens.
            splits: () => MONTHS.filter((m) => (m - 1) % (width < 380 ? 3 : width < 540 ? 2 : 1) === 0),
            values: (_u, splits) => splits.map((m) => monthName(m, locale)),
            grid: { show: false },
          },
          {
            ...axisStyle(),
            size: labelSize,
            values: (_u, splits) => splits.map((v) => formatMoneyShort(v, locale)),
          },
        ],
        series: [
          { label: t('month'), value: (_u, m) => (m == null ? '—' : monthName(m, locale, 'long')) },
          {
            label: t('seriesRealisation'),
            stroke: COLOURS.realisation,
            fill: COLOURS.realisationFill,
            width: 2.5,
            points: { show: true, size: 6, fill: COLOURS.realisation },
            value: (_u, v) => (v == null ? '—' : formatMoneyShort(v, locale)),
          },
          {
            label: t('seriesCommitment'),
            stroke: COLOURS.commitment,
            width: 2,
            dash: [8, 5],
            points: { show: false },
            value: (_u, v) => (v == null ? '—' : formatMoneyShort(v, locale)),
          },
          {
            label: t('seriesTargetToDate'),
            stroke: COLOURS.target,
            width: 1.5,
            dash: [2, 4],
            points: { show: false },
            value: (_u, v) => (v == null ? '—' : formatMoneyShort(v, locale)),
          },
          {
            label: t('seriesProjection'),
            stroke: COLOURS.projection,
            width: 2,
            dash: [3, 3],
            points: { show: false },
            value: (_u, v) => (v == null ? '—' : formatMoneyShort(v, locale)),
          },
        ],
      }),
    [locale, t],
  );
  return <UPlotChart options={options} data={data} label={label} testId="cumulative-chart" />;
}
