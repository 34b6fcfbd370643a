// The dashboard's view state lives in the address (page, year, agency, language), so every view
// can be bookmarked, shared and reloaded; the language choice is also remembered on the device.
import type { Locale } from './format.js';

export type Page = 'kpi' | 'programme';

export interface ViewState {
  page: Page;
  year: number | null;
  agency: string | null;
  locale: Locale;
}

const LOCALE_KEY = 'bisma.locale';

function storedLocale(): Locale | null {
  try {
    const v = localStorage.getItem(LOCALE_KEY);
    return v === 'id' || v === 'en' ? v : null;
  } catch {
    return null;
  }
}

export function readState(location: Location): ViewState {
  const params = new URLSearchParams(location.search);
  const year = Number(params.get('year'));
  const lang = params.get('lang');
  return {
    page: location.hash === '#business-matching' ? 'programme' : 'kpi',
    year: Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : null,
    agency: params.get('agency') || null,
    locale: lang === 'en' || lang === 'id' ? lang : (storedLocale() ?? 'id'),
  };
}

export function writeState(state: ViewState): void {
  const params = new URLSearchParams();
  if (state.year !== null) params.set('year', String(state.year));
  if (state.agency) params.set('agency', state.agency);
  params.set('lang', state.locale);
  const hash = state.page === 'programme' ? '#business-matching' : '#p3dn';
  const url = `${location.pathname}?${params}${hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
  try {
    localStorage.setItem(LOCALE_KEY, state.locale);
  } catch {
    // Private browsing may refuse storage: the address still carries the language.
  }
}
