// The Business Matching page: the year's programme KPIs, the batches on a timeline, exhibitors
// and deals per batch, and the table behind them.
import { useCallback, useMemo } from 'preact/hooks';
import { BarChart } from '../charts/bar-chart.js';
import { COLOURS } from '../charts/uplot-chart.js';
import { Failure, Loading } from '../components/status.js';
import { TableScroll } from '../components/table-scroll.js';
import type { Translate } from '../components/types.js';
import {
  formatCount,
  formatDateRange,
  formatMoney,
  formatMoneyShort,
  formatPercent,
  type Locale,
  monthName,
  roman,
} from '../format.js';
import type { MessageKey } from '../i18n.js';
import { type BatchData, type EventData, PROGRAMME_QUERY, type ProgrammeData } from '../queries.js';
import { useQuery } from '../use-query.js';

interface Props {
  year: number;
  locale: Locale;
  t: Translate;
}

interface Row {
  event: EventData;
  batch: BatchData | null;
}

export function ProgrammePage({ year, locale, t }: Props) {
  const programme = useQuery<ProgrammeData>(PROGRAMME_QUERY, { year });
  const data = programme.data;
  const rows = useMemo<Row[]>(() => {
    if (!data) return [];
    const batches = new Map(data.programmeKpis.batches.map((b) => [b.event.id, b]));
    return data.events.edges.map((e) => ({ event: e.node, batch: batches.get(e.node.id) ?? null }));
  }, [data]);
  return (
    <div class="page" aria-busy={programme.status === 'loading'}>
      <section class="panel intro" aria-labelledby="programme-title">
        <h2 id="programme-title">
          {t('programmeTitle')} {year}
        </h2>
        <p>{t('programmeIntro')}</p>
      </section>
      {programme.status === 'error' && <Failure error={programme.error} retry={programme.retry} t={t} />}
      {programme.status === 'loading' && !data && <Loading t={t} />}
      {data && rows.length === 0 && <p class="empty">{t('noEvents')}</p>}
      {data && rows.length > 0 && (
        <>
          <ProgrammeCards data={data} locale={locale} t={t} />
          <Timeline year={year} rows={rows} locale={locale} t={t} />
          <div class="grid-2">
            <BatchCharts rows={rows} locale={locale} t={t} />
          </div>
          <BatchTable rows={rows} locale={locale} t={t} />
        </>
      )}
    </div>
  );
}

function ProgrammeCards({ data, locale, t }: { data: ProgrammeData; locale: Locale; t: Translate }) {
  const k = data.programmeKpis;
  const c = k.conversion;
  return (
    <section class="cards cards-4" aria-label={t('programmeTitle')}>
      <article class="card" data-testid="card-events">
        <h3>{t('eventsHeld')}</h3>
        <p class="card-value">{formatCount(k.eventsHeld, locale)}</p>
      </article>
      <article class="card" data-testid="card-exhibitors">
        <h3>{t('uniqueExhibitors')}</h3>
        <p class="card-value">{formatCount(k.uniqueExhibitors, locale)}</p>
      </article>
      <article class="card" data-testid="card-deals">
        <h3>{t('deals')}</h3>
        <p class="card-value">{formatCount(k.dealCount, locale)}</p>
        <p class="card-sub">
          {t('dealValue')} <strong>{formatMoney(k.dealValue, locale)}</strong>
        </p>
      </article>
      <article class="card" data-testid="card-conversion">
        <h3>{t('conversion')}</h3>
        <p class="card-value">{c.rate === null ? '—' : formatPercent(c.rate, locale)}</p>
        <p class="card-sub">
          {t('conversionNote', {
            converted: formatCount(c.converted, locale),
            exhibitors: formatCount(c.exhibitors, locale),
            value: formatMoney(c.value, locale),
          })}
        </p>
      </article>
    </section>
  );
}

const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

function dayOfYear(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (Date.UTC(y, m - 1, d) - Date.UTC(y, 0, 1)) / 86_400_000;
}

/** The year as a track, January to December, with each batch placed on its days. */
function Timeline({ year, rows, locale, t }: { year: number; rows: Row[]; locale: Locale; t: Translate }) {
  const days = dayOfYear(`${year}-12-31`) + 1;
  const at = (date: string) => `${(dayOfYear(date) / days) * 100}%`;
  return (
    <section class="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('timelineTitle')}</h2>
      <div class="timeline" data-testid="timeline">
        <ol class="timeline-months" aria-hidden="true">
          {MONTHS.map((m) => (
            <li key={m} style={{ left: at(`${year}-${String(m).padStart(2, '0')}-01`) }}>
              {monthName(m, locale)}
            </li>
          ))}
        </ol>
        <ol class="timeline-batches">
          {rows.map(({ event, batch }) => (
            <li
              key={event.id}
              class={`timeline-batch status-${event.status.toLowerCase()}`}
              style={{ left: at(event.startDate) }}
            >
              <span class="timeline-mark" aria-hidden="true" />
              <span class="timeline-label" aria-hidden="true">
                {roman(event.batchNumber)}
              </span>
              <span class="visually-hidden">
                {t('batch')} {roman(event.batchNumber)}:{' '}
                {formatDateRange(event.startDate, event.endDate, locale)}, {event.venue},{' '}
                {formatCount(batch?.exhibitors ?? event.exhibitorCount, locale)} {t('exhibitors')},{' '}
                {t(`status${event.status}` as MessageKey)}
              </span>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

function BatchCharts({ rows, locale, t }: { rows: Row[]; locale: Locale; t: Translate }) {
  const categories = useMemo(() => rows.map((r) => roman(r.event.batchNumber)), [rows]);
  const exhibitors = useMemo(() => rows.map((r) => r.batch?.exhibitors ?? r.event.exhibitorCount), [rows]);
  const dealValues = useMemo(() => rows.map((r) => Number(r.batch?.dealValue ?? 0)), [rows]);
  const count = useCallback((v: number) => formatCount(v, locale), [locale]);
  const money = useCallback((v: number) => formatMoneyShort(v, locale), [locale]);
  return (
    <>
      <section class="panel" aria-labelledby="exhibitors-title">
        <h2 id="exhibitors-title">{t('exhibitorsPerBatch')}</h2>
        <BarChart
          categories={categories}
          values={exhibitors}
          categoryLabel={t('batch')}
          seriesLabel={t('exhibitors')}
          format={count}
          label={`${t('exhibitorsPerBatch')}: ${categories.map((c, i) => `${c} ${exhibitors[i]}`).join('; ')}.`}
          testId="exhibitors-chart"
        />
      </section>
      <section class="panel" aria-labelledby="deals-title">
        <h2 id="deals-title">{t('dealsPerBatch')}</h2>
        <BarChart
          categories={categories}
          values={dealValues}
          categoryLabel={t('batch')}
          seriesLabel={t('dealValue')}
          format={money}
          colour={COLOURS.barAlt}
          label={`${t('dealsPerBatch')}: ${categories.map((c, i) => `${c} ${money(dealValues[i] ?? 0)}`).join('; ')}.`}
          testId="deals-chart"
        />
      </section>
    </>
  );
}

function BatchTable({ rows, locale, t }: { rows: Row[]; locale: Locale; t: Translate }) {
  return (
    <section class="panel" aria-labelledby="batches-title">
      <h2 id="batches-title">{t('batch')}</h2>
      <TableScroll label={`${t('batch')}: ${t('dataTable')}`}>
        <table class="data-table" data-testid="batch-table">
          <thead>
            <tr>
              <th scope="col">{t('batch')}</th>
              <th scope="col">{t('dates')}</th>
              <th scope="col">{t('venue')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col" class="num">
                {t('exhibitors')}
              </th>
              <th scope="col" class="num">
                {t('newExhibitors')}
              </th>
              <th scope="col" class="num">
                {t('deals')}
              </th>
              <th scope="col" class="num">
                {t('dealValue')}
              </th>
              <th scope="col" class="num">
                {t('converted')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ event, batch }) => (
              <tr key={event.id}>
                <th scope="row">{roman(event.batchNumber)}</th>
                <td>{formatDateRange(event.startDate, event.endDate, locale)}</td>
                <td>{event.venue}</td>
                <td>{t(`status${event.status}` as MessageKey)}</td>
                <td class="num">{formatCount(batch?.exhibitors ?? event.exhibitorCount, locale)}</td>
                <td class="num">{batch ? formatCount(batch.newExhibitors, locale) : '—'}</td>
                <td class="num">{batch ? formatCount(batch.dealCount, locale) : '—'}</td>
                <td class="num">{batch ? formatMoney(batch.dealValue, locale) : '—'}</td>
                <td class="num">{batch ? formatCount(batch.convertedExhibitors, locale) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
