// The three headline cards: realisation against the commitment, and the PDN and UMK shares
// against their targets, each with the date its data stands for. Card figures are the API's own
// text (formatted), so they read exactly as the API states them.

import type { KpiStatus } from '../../../src/common/kpi.js';
import { formatDate, formatNumber, formatPoints, type Locale } from '../format.js';
import type { KpiSummaryData } from '../queries.js';
import type { Translate } from './types.js';

interface Props {
  summary: KpiSummaryData;
  locale: Locale;
  t: Translate;
}

function Freshness({ summary, locale, t }: Props) {
  return (
    <p class="freshness">
      {summary.asOf ? (
        <>
          {t('asOf')} <time dateTime={summary.asOf}>{formatDate(summary.asOf, locale)}</time>
        </>
      ) : (
        t('asOfUnknown')
      )}
      <span class="version">
        {' · '}
        {t('dataVersion')} {summary.dataVersion}
      </span>
    </p>
  );
}

/** A bar that fills to `percent` (capped at 100 %), drawn for the eye; the text says the number. */
function Progress({ percent, target }: { percent: number | null; target?: number | null }) {
  const width = Math.max(0, Math.min(100, percent ?? 0));
  return (
    <div class="progress" aria-hidden="true">
      <div class="progress-fill" style={{ width: `${width}%` }} />
      {target != null && <div class="progress-target" style={{ left: `${Math.min(100, target)}%` }} />}
    </div>
  );
}

function statusText(status: KpiStatus, t: Translate): string {
  return status === 'ON_TRACK' || status === 'ACHIEVED' ? t('onTarget') : t('belowTarget');
}

function ShareCard({
  id,
  title,
  share,
  shareText,
  target,
  gap,
  status,
  summary,
  locale,
  t,
}: Props & {
  id: string;
  title: string;
  share: number | null;
  shareText: string | null;
  target: number | null;
  gap: number | null;
  status: KpiStatus;
}) {
  const headingId = `${id}-title`;
  const met = status === 'ON_TRACK' || status === 'ACHIEVED';
  return (
    <article class="card" aria-labelledby={headingId} data-testid={id}>
      <h3 id={headingId}>{title}</h3>
      <p class="card-value" data-testid={`${id}-value`}>
        {shareText ?? '—'}
      </p>
      <p class="card-sub">
        {shareText ? t('ofSpending') : t('noShare')}
        {target !== null && (
          <>
            {' · '}
            {t('target')} {formatNumber(target, locale, 1)}
            {locale === 'id' ? ' %' : '%'}
          </>
        )}
      </p>
      <Progress percent={share} target={target} />
      {share !== null && target !== null && (
        <p class={`badge ${met ? 'badge-good' : 'badge-bad'}`}>
          <span aria-hidden="true">{met ? '▲ ' : '▼ '}</span>
          {statusText(status, t)}
          {gap !== null && gap > 0 && ` (${formatPoints(-gap, locale)})`}
        </p>
      )}
      <Freshness summary={summary} locale={locale} t={t} />
    </article>
  );
}

export function KpiCards({ summary, locale, t }: Props) {
  const f = summary.formatted;
  const attained = summary.status === 'ACHIEVED' || summary.status === 'ON_TRACK';
  const realisationStatus =
    summary.status === 'ACHIEVED' || summary.status === 'ON_TRACK' || summary.status === 'BEHIND'
      ? t(`realisation${summary.status}`)
      : null;
  return (
    <section class="cards" aria-labelledby="cards-title">
      {/* The cards' own h3s need an h2 above them for a screen reader's heading outline. */}
      <h2 id="cards-title" class="visually-hidden">
        {t('navKpi')}
      </h2>
      <article class="card card-main" aria-labelledby="card-realisation-title" data-testid="card-realisation">
        <h3 id="card-realisation-title">{t('cardRealisation')}</h3>
        <p class="card-value" data-testid="card-realisation-value">
          {f.realisation}
        </p>
        <p class="card-sub">
          {f.commitmentUsed ? (
            <>
              {t('ofCommitment')} <strong data-testid="card-commitment-value">{f.commitmentUsed}</strong>
            </>
          ) : (
            t('noCommitment')
          )}
        </p>
        <p class="card-attainment">
          <span>{t('attainment')}</span>{' '}
          <strong data-testid="card-attainment-value">{f.attainment ?? '—'}</strong>
        </p>
        <Progress percent={summary.attainment} />
        {realisationStatus && (
          <p class={`badge ${attained ? 'badge-good' : 'badge-bad'}`}>
            <span aria-hidden="true">{attained ? '▲ ' : '▼ '}</span>
            {realisationStatus}
          </p>
        )}
        <Freshness summary={summary} locale={locale} t={t} />
      </article>
      <ShareCard
        id="card-pdn"
        title={t('cardPdnShare')}
        share={summary.pdnShare}
        shareText={f.pdnShare}
        target={summary.pdnShareTarget}
        gap={summary.pdnShareGap}
        status={summary.pdnShareStatus}
        summary={summary}
        locale={locale}
        t={t}
      />
      <ShareCard
        id="card-umk"
        title={t('cardUmkShare')}
        share={summary.umkShare}
        shareText={f.umkShare}
        target={summary.umkShareTarget}
        gap={summary.umkShareGap}
        status={summary.umkShareStatus}
        summary={summary}
        locale={locale}
        t={t}
      />
    </section>
  );
}
