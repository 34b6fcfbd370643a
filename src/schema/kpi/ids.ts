// Stable ids of KPI answers. An answer is fixed by its question and the data version it was read
// from, so its id encodes both: the same figures always have the same id, and new figures a new one.
import { ValidationError } from '../../lib/errors.js';
import type { KpiQuestion, KpiSummary } from '../../services/kpi/kpis.js';

/** `year:version:subunits(0|1):agency code` (empty code for the whole province). */
export function summaryKey(s: KpiSummary): string {
  return [s.year, s.pick?.version ?? 0, s.scope.includeSubunits ? 1 : 0, s.scope.agency?.code ?? ''].join(
    ':',
  );
}

/** The question a summary key answers, pinned to its data version. */
export function summaryQuestion(key: string): KpiQuestion {
  const match = /^(\d{4}):(\d{1,10}):([01]):(.{0,64})$/s.exec(key);
  if (!match) throw new ValidationError('id', 'not the id of a KPI summary');
  const [, year, version, subunits, agency] = match;
  return {
    year: Number(year),
    // Version 0 stands for "no data yet": there is nothing to pin.
    version: Number(version) || null,
    includeSubunits: subunits === '1',
    agency: agency || null,
  };
}
