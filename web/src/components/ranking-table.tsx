// The agency ranking: a table sorted by the API (agencyRanking's metric and order), one column
// heading button per metric; the heading's aria-sort tells screen readers the current order.
import { useState } from 'preact/hooks';
import { formatCount, formatMoney, formatPercent, type Locale } from '../format.js';
import type { MessageKey } from '../i18n.js';
import { RANKING_QUERY, type RankingData, type RankMetric, type SortOrder } from '../queries.js';
import { useQuery } from '../use-query.js';
import { Failure, Loading } from './status.js';
import { TableScroll } from './table-scroll.js';
import type { Translate } from './types.js';

interface Column {
  metric: RankMetric;
  label: MessageKey;
}

const COLUMNS: Column[] = [
  { metric: 'REALISATION', label: 'realisation' },
  { metric: 'COMMITMENT', label: 'commitment' },
  { metric: 'ATTAINMENT', label: 'attainment' },
  { metric: 'PDN_SHARE', label: 'pdnShare' },
  { metric: 'UMK_SHARE', label: 'umkShare' },
  { metric: 'ITEM_COUNT', label: 'items' },
];

const INITIAL_ROWS = 10;

interface Props {
  year: number;
  selectedAgency: string | null;
  locale: Locale;
  t: Translate;
}

export function RankingTable({ year, selectedAgency, locale, t }: Props) {
  const [sort, setSort] = useState<{ metric: RankMetric; order: SortOrder }>({
    metric: 'REALISATION',
    order: 'DESC',
  });
  const [expanded, setExpanded] = useState(false);
  const ranking = useQuery<RankingData>(RANKING_QUERY, { year, ...sort, first: 100 });
  const rows = ranking.data?.agencyRanking.edges.map((e) => e.node) ?? [];
  const total = ranking.data?.agencyRanking.totalCount ?? 0;
  const shown = expanded ? rows : rows.slice(0, INITIAL_ROWS);

  const sortBy = (metric: RankMetric) =>
    setSort((s) => ({ metric, order: s.metric === metric && s.order === 'DESC' ? 'ASC' : 'DESC' }));
  const pct = (v: number | null) => (v === null ? '—' : formatPercent(v, locale));

  return (
    <section class="panel" aria-labelledby="ranking-title">
      <h2 id="ranking-title">{t('rankingTitle')}</h2>
      {ranking.status === 'error' && <Failure error={ranking.error} retry={ranking.retry} t={t} />}
      {ranking.status === 'loading' && !ranking.data && <Loading t={t} />}
      {ranking.data && (
        <>
          <TableScroll label={`${t('rankingTitle')}: ${t('dataTable')}`}>
            <table
              class="data-table ranking"
              data-testid="ranking-table"
              aria-busy={ranking.status === 'loading'}
            >
              <caption>{t('rankingCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    {t('rank')}
                  </th>
                  <th scope="col">{t('agency')}</th>
                  {COLUMNS.map((c) => {
                    const active = sort.metric === c.metric;
                    return (
                      <th
                        key={c.metric}
                        scope="col"
                        class="num"
                        aria-sort={active ? (sort.order === 'ASC' ? 'ascending' : 'descending') : undefined}
                      >
                        <button type="button" class="sort-button" onClick={() => sortBy(c.metric)}>
                          {t(c.label)}
                          <span class="sort-mark" aria-hidden="true">
                            {active ? (sort.order === 'ASC' ? ' ▲' : ' ▼') : ' ↕'}
                          </span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr
                    key={r.agency.code}
                    class={r.agency.code === selectedAgency ? 'selected' : undefined}
                    aria-current={r.agency.code === selectedAgency ? 'true' : undefined}
                  >
                    <td class="num">{r.rank}</td>
                    <th scope="row">{r.agency.name}</th>
                    <td class="num">{formatMoney(r.realisation, locale)}</td>
                    <td class="num">{r.commitmentUsed ? formatMoney(r.commitmentUsed, locale) : '—'}</td>
                    <td class="num">{pct(r.attainment)}</td>
                    <td class="num">{pct(r.pdnShare)}</td>
                    <td class="num">{pct(r.umkShare)}</td>
                    <td class="num">{formatCount(r.itemCount, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p class="table-footer">
            <span role="status">{t('showingOf', { shown: shown.length, total })}</span>
            {rows.length > INITIAL_ROWS && (
              <button type="button" onClick={() => setExpanded((x) => !x)} aria-expanded={expanded}>
                {expanded ? t('showFewer') : t('showMore')}
              </button>
            )}
          </p>
        </>
      )}
    </section>
  );
}
