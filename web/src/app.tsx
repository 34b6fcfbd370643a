// The dashboard shell: header with the page links and language switch, the filters, and the page.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Failure, Loading } from './components/status.js';
import { type MessageKey, translate } from './i18n.js';
import { KpiPage } from './pages/kpi-page.js';
import { ProgrammePage } from './pages/programme-page.js';
import { FILTERS_QUERY, type FiltersData } from './queries.js';
import { readState, type ViewState, writeState } from './state.js';
import { useQuery } from './use-query.js';

export function App() {
  const [state, setState] = useState<ViewState>(() => readState(window.location));
  const update = useCallback((change: Partial<ViewState>) => setState((s) => ({ ...s, ...change })), []);
  const t = useCallback(
    (key: MessageKey, values?: Record<string, string | number>) => translate(state.locale, key, values),
    [state.locale],
  );

  useEffect(() => writeState(state), [state]);
  useEffect(() => {
    document.documentElement.lang = state.locale;
    document.title = `Bisma — ${t('appTitle')}`;
  }, [state.locale, t]);
  useEffect(() => {
    const onHash = () => update({ page: readState(window.location).page });
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [update]);

  const filters = useQuery<FiltersData>(FILTERS_QUERY, {});
  const years = useMemo(
    () => [...new Set((filters.data?.fiscalTargets ?? []).map((f) => f.fiscalYear))].sort((a, b) => b - a),
    [filters.data],
  );
  const agencies = useMemo(
    () =>
      (filters.data?.agencies.edges ?? [])
        .map((e) => e.node)
        .filter((a) => a.kind !== 'PROVINCE')
        .sort((a, b) => a.name.localeCompare(b.name, state.locale)),
    [filters.data, state.locale],
  );
  const year = state.year ?? years[0] ?? null;

  return (
    <>
      <a class="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header class="site-header">
        <div class="brand">
          <p class="brand-mark" aria-hidden="true">
            B
          </p>
          <div>
            <h1>{t('appTitle')}</h1>
            <p class="subtitle">{t('appSubtitle')}</p>
          </div>
        </div>
        <nav aria-label={t('navLabel')} class="page-nav">
          <a href="#p3dn" aria-current={state.page === 'kpi' ? 'page' : undefined}>
            {t('navKpi')}
          </a>
          <a href="#business-matching" aria-current={state.page === 'programme' ? 'page' : undefined}>
            {t('navProgramme')}
          </a>
        </nav>
        <fieldset class="lang-switch">
          <legend>{t('language')}</legend>
          {(['id', 'en'] as const).map((l) => (
            <button
              key={l}
              type="button"
              lang={l}
              aria-pressed={state.locale === l}
              onClick={() => update({ locale: l })}
            >
              {l === 'id' ? 'Bahasa Indonesia' : 'English'}
            </button>
          ))}
        </fieldset>
      </header>

      <search class="filters" aria-label={t('filtersLabel')}>
        <label>
          <span>{t('year')}</span>
          <select
            id="year-select"
            value={year ?? ''}
            disabled={years.length === 0}
            onChange={(e) => update({ year: Number(e.currentTarget.value) })}
          >
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </label>
        {state.page === 'kpi' && (
          <label>
            <span>{t('agency')}</span>
            <select
              id="agency-select"
              value={state.agency ?? ''}
              disabled={agencies.length === 0}
              onChange={(e) => update({ agency: e.currentTarget.value || null })}
            >
              <option value="">{t('allAgencies')}</option>
              {agencies.map((a) => (
                <option key={a.code} value={a.code}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </search>

      <main id="main" tabIndex={-1}>
        {filters.status === 'error' && <Failure error={filters.error} retry={filters.retry} t={t} />}
        {filters.status === 'loading' && year === null && <Loading t={t} />}
        {filters.status === 'done' && year === null && <p class="empty">{t('noData')}</p>}
        {year !== null &&
          (state.page === 'kpi' ? (
            <KpiPage year={year} agency={state.agency} locale={state.locale} t={t} />
          ) : (
            <ProgrammePage year={year} locale={state.locale} t={t} />
          ))}
      </main>

      <footer class="site-footer">
        <p>
          {t('footer')} <a href="./explorer">{t('explorer')}</a>
        </p>
      </footer>
    </>
  );
}
