// The P3DN page: headline cards, the cumulative realisation chart with its projection, the
// breakdown by channel and the agency ranking, for one year and (optionally) one agency.
import { useCallback, useMemo } from 'preact/hooks';
import { BarChart } from '../charts/bar-chart.js';
import { CumulativeChart } from '../charts/cumulative-chart.js';
import { KpiCards } from '../components/kpi-cards.js';
import { RankingTable } from '../components/ranking-table.js';
import { Failure, Loading } from '../components/status.js';
import { TableScroll } from '../components/table-scroll.js';
import type { Translate } from '../components/types.js';
import {
  formatMoney,
  formatMoneyShort,
  formatPercent,
  type Locale,
  moneyToNumber,
  monthName,
} from '../format.js';
import { OVERVIEW_QUERY, type OverviewData } from '../queries.js';
import { useQuery } from '../use-query.js';

interface Props {
  year: number;
  agency: string | null;
  locale: Locale;
  t: Translate;
}

export function KpiPage({ year, agency, locale, t }: Props) {
  const overview = useQuery<OverviewData>(OVERVIEW_QUERY, {
    year,
    agency,
    locale: locale === 'id' ? 'ID' : 'EN',
  });
  const data = overview.data;
  return (
    <div class="page" aria-busy={overview.status === 'loading'} data-year={data?.kpiSummary.year}>
      {overview.status === 'error' && <Failure error={overview.error} retry={overview.retry} t={t} />}
      {overview.status === 'loading' && !data && <Loading t={t} />}
      {data && (
        <>
          {data.kpiSummary.dataVersion === 0 && <p class="empty">{t('noData')}</p>}
          <KpiCards summary={data.kpiSummary} locale={locale} t={t} />
          <div class="grid-2">
            <CumulativePanel data={data} locale={locale} t={t} />
            <BreakdownPanel data={data} locale={locale} t={t} />
          </div>
        </>
      )}
      <RankingTable year={year} selectedAgency={agency} locale={locale} t={t} />
    </div>
  );
}

function CumulativePanel({ data, locale, t }: { data: OverviewData; locale: Locale; t: Translate }) {
  const summary = data.kpiSummary;
  const points = useMemo(
    () =>
      data.kpiSeries.points.map((p) => ({
        month: p.month,
        realisation: Number(p.realisation),
        targetToDate: moneyToNumber(p.targetToDate),
      })),
    [data],
  );
  const projection = summary.projection;
  const label = `${t('chartCumulative')} ${summary.year}. ${t('seriesRealisation')}: ${summary.formatted.realisation}; ${t('seriesCommitment')}: ${summary.formatted.commitmentUsed ?? '—'}${projection ? `; ${t('projection')}: ${formatMoney(projection.yearEndRealisation, locale)}` : ''}.`;
  return (
    <section class="panel panel-wide" aria-labelledby="cumulative-title">
      <h2 id="cumulative-title">
        {t('chartCumulative')} {summary.year}
      </h2>
      <p class="panel-note">{t('chartCumulativeNote')}</p>
      <CumulativeChart
        points={points}
        commitment={moneyToNumber(summary.commitmentUsed)}
        projectedYearEnd={moneyToNumber(projection?.yearEndRealisation)}
        locale={locale}
        t={t}
        label={label}
      />
      {projection && (
        <p class="projection" data-testid="projection">
          {t('projection')}: <strong>{formatMoney(projection.yearEndRealisation, locale)}</strong>
          {projection.yearEndAttainment !== null &&
            ` (${formatPercent(projection.yearEndAttainment, locale)} ${t('projectionOf')})`}
        </p>
      )}
      {projection && (
        <details class="data-details">
          <summary>
            {t('projectionMethod')}: {t('projection').toLowerCase()}
          </summary>
          <p class="method" lang="en">
            {projection.method}
          </p>
        </details>
      )}
      <details class="data-details">
        <summary>{t('dataTable')}</summary>
        <TableScroll label={t('dataTable')}>
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">{t('month')}</th>
                <th scope="col" class="num">
                  {t('seriesRealisation')}
                </th>
                <th scope="col" class="num">
                  {t('seriesTargetToDate')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.kpiSeries.points.map((p) => (
                <tr key={p.month}>
                  <th scope="row">{monthName(p.month, locale, 'long')}</th>
                  <td class="num">{formatMoney(p.realisation, locale)}</td>
                  <td class="num">{p.targetToDate ? formatMoney(p.targetToDate, locale) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </section>
  );
}

function BreakdownPanel({ data, locale, t }: { data: OverviewData; locale: Locale; t: Translate }) {
  const rows = data.kpiBreakdown.rows;
  const categories = useMemo(() => rows.map((r) => r.label), [rows]);
  const values = useMemo(() => rows.map((r) => Number(r.realisation)), [rows]);
  const format = useCallback((v: number) => formatMoneyShort(v, locale), [locale]);
  const label = `${t('breakdownTitle')}: ${rows.map((r) => `${r.label} ${formatMoney(r.realisation, locale)}`).join('; ')}.`;
  return (
    <section class="panel" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">{t('breakdownTitle')}</h2>
      <BarChart
        categories={categories}
        values={values}
        categoryLabel={t('channel')}
        seriesLabel={t('realisation')}
        format={format}
        label={label}
        horizontal
        testId="channel-chart"
      />
      <TableScroll label={`${t('breakdownTitle')}: ${t('dataTable')}`}>
        <table class="data-table" data-testid="channel-table">
          <thead>
            <tr>
              <th scope="col">{t('channel')}</th>
              <th scope="col" class="num">
                {t('realisation')}
              </th>
              <th scope="col" class="num">
                {t('shareOfRealisation')}
              </th>
              <th scope="col" class="num">
                {t('pdnShare')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td class="num">{formatMoney(r.realisation, locale)}</td>
                <td class="num">
                  {r.shareOfRealisation === null ? '—' : formatPercent(r.shareOfRealisation, locale)}
                </td>
                <td class="num">{r.pdnShare === null ? '—' : formatPercent(r.pdnShare, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
