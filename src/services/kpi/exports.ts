// Asynchronous CSV exports of KPI questions: recorded by a mutation, written by the worker's
// export job (the file is kept in kpi_export.content), polled, subscribed to (kpiExportUpdated)
// and downloaded over HTTP. The file states its provenance (data version, as-of date) first.
import { randomBytes } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { exportJobId } from '../../jobs/enqueue.js';
import type { Producer } from '../../jobs/producer.js';
import { recordAndQueue } from '../../jobs/request.js';
import { pool } from '../../lib/db.js';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { kpiExportChannel, publishLive } from '../live/pubsub.js';
import type { KpiLocale } from './numbers.js';
import { type Cell, type Column, type KpiTable, kpiTable, parseQuestion, type QueryKind } from './tables.js';

export type ExportStatus = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface KpiExport {
  id: string;
  kind: QueryKind;
  args: Record<string, unknown>;
  locale: KpiLocale;
  status: ExportStatus;
  version: number | null;
  asOf: string | null;
  rowCount: number | null;
  fileName: string | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `id, kind::text AS kind, args, locale, status::text AS status, version,
  to_char(as_of, 'YYYY-MM-DD') AS as_of, row_count, file_name, error, created_at, finished_at`;

interface ExportRow {
  id: string;
  kind: QueryKind;
  args: Record<string, unknown>;
  locale: KpiLocale;
  status: ExportStatus;
  version: number | null;
  as_of: string | null;
  row_count: number | null;
  file_name: string | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

function toExport(r: ExportRow): KpiExport {
  return {
    id: r.id,
    kind: r.kind,
    args: r.args,
    locale: r.locale,
    status: r.status,
    version: r.version,
    asOf: r.as_of,
    rowCount: r.row_count,
    fileName: r.file_name,
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/**
 * An analyst's export: recorded (QUEUED) after checking its question, then its job queued, under
 * the one failure policy of src/jobs/request.ts: Redis down, QUEUE_UNAVAILABLE and nothing
 * recorded; Redis refusing the job, the export is marked FAILED with the reason and
 * QUEUE_UNAVAILABLE thrown.
 */
export async function requestExport(
  producer: Producer,
  input: { kind: QueryKind; args: unknown; locale: KpiLocale; requestedBy: number | null },
): Promise<KpiExport> {
  const { row } = await recordAndQueue(producer, {
    record: () => createExport(input),
    job: (e) => ({ queue: 'export', name: 'csv', data: { exportId: e.id }, jobId: exportJobId(e.id) }),
    refused: (e, reason) => failExport(e.id, reason),
  });
  return row;
}

/**
 * Records an export (status QUEUED) after checking its question. The id is 128 random bits: it is
 * what the download URL is addressed by.
 */
export async function createExport(input: {
  kind: QueryKind;
  args: unknown;
  locale: KpiLocale;
  requestedBy: number | null;
}): Promise<KpiExport> {
  if (input.locale !== 'id' && input.locale !== 'en') throw new ValidationError('locale', 'must be ID or EN');
  const args = parseQuestion(input.kind, input.args);
  const id = randomBytes(16).toString('base64url');
  const { rows } = await pool.query<ExportRow>(
    `INSERT INTO kpi_export (id, kind, args, locale, requested_by) VALUES ($1, $2::"KpiQueryKind", $3, $4, $5)
     RETURNING ${COLUMNS}`,
    [id, input.kind, JSON.stringify(args), input.locale, input.requestedBy],
  );
  return toExport(rows[0]!);
}

export async function getExport(id: string): Promise<KpiExport | null> {
  const { rows } = await pool.query<ExportRow>(`SELECT ${COLUMNS} FROM kpi_export WHERE id = $1`, [id]);
  return rows[0] ? toExport(rows[0]) : null;
}

/** The finished file, null until it is DONE. */
export async function exportFile(id: string): Promise<{ fileName: string; content: string } | null> {
  const { rows } = await pool.query<{ file_name: string; content: string }>(
    `SELECT file_name, content FROM kpi_export WHERE id = $1 AND status = 'DONE'`,
    [id],
  );
  return rows[0] ? { fileName: rows[0].file_name, content: rows[0].content } : null;
}

async function announce(id: string): Promise<KpiExport> {
  const current = (await getExport(id))!;
  await publishLive(kpiExportChannel(), current);
  return current;
}

/**
 * Marks an unfinished export FAILED with the reason (a finished one stays as it is), so no export is
 * left RUNNING: the worker calls it when a question is bad and after the job's last attempt.
 */
export async function failExport(id: string, reason: string): Promise<KpiExport | null> {
  const { rowCount } = await pool.query(
    `UPDATE kpi_export SET status = 'FAILED', error = $2, finished_at = now()
     WHERE id = $1 AND status <> 'DONE'`,
    [id, reason.slice(0, 1_000)],
  );
  return rowCount ? announce(id) : getExport(id);
}

/**
 * Writes the export's CSV (the worker's job). Safe to retry: a DONE or FAILED export is returned as
 * it is; a question the data cannot answer (a bad argument, an unknown agency: any domain error) ends
 * FAILED with its reason at once; anything else is left to the job's retries (and failExport).
 */
export async function runExport(id: string): Promise<KpiExport> {
  const existing = await getExport(id);
  if (!existing) throw new NotFoundError('KPI export', id);
  // Finished, or failed for good (a bad question, the last attempt, or never queued): left as it is.
  if (existing.status === 'DONE' || existing.status === 'FAILED') return existing;
  await pool.query(`UPDATE kpi_export SET status = 'RUNNING', started_at = now() WHERE id = $1`, [id]);
  await announce(id);
  let table: KpiTable;
  try {
    table = await kpiTable(existing.kind, existing.args);
  } catch (err) {
    if (!(err instanceof AppError) || err.code === 'DATABASE_UNAVAILABLE') throw err;
    return (await failExport(id, err.message))!;
  }
  const content = toCsv(table, existing.locale);
  const year = (table.args as { year: number }).year;
  const fileName = `bisma-${table.kind.toLowerCase()}-${year}-v${table.version ?? 0}-${existing.locale}.csv`;
  await pool.query(
    `UPDATE kpi_export SET status = 'DONE', content = $2, file_name = $3, version = $4, as_of = $5,
       row_count = $6, finished_at = now() WHERE id = $1`,
    [id, content, fileName, table.version, table.asOf, table.rows.length],
  );
  logger.info(
    { exportId: id, kind: table.kind, rows: table.rows.length, version: table.version },
    'kpi export written',
  );
  return announce(id);
}

// ---------------------------------------------------------------------------------- CSV

/**
 * Indonesian files use `;` between fields and `1.234.567,89` numbers (what a spreadsheet set to
 * Indonesian reads); English ones `,` and `1234567.89`.
 */
const FORMAT = {
  id: { separator: ';', decimal: ',', group: '.' },
  en: { separator: ',', decimal: '.', group: '' },
} as const;

/**
 * A text cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return) is prefixed with `'`, which shows the text as it is (OWASP's CSV injection advice).
 */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function formatCell(cell: Cell, column: Column, locale: KpiLocale): string {
  if (cell === null) return '';
  if (column.type === 'text') return neutralise(String(cell));
  const f = FORMAT[locale];
  const text = String(cell);
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = f.group ? whole!.replace(/\B(?=(\d{3})+(?!\d))/g, f.group) : whole!;
  return `${negative ? '-' : ''}${grouped}${fraction ? `${f.decimal}${fraction}` : ''}`;
}

const PROVENANCE = {
  id: { version: 'Versi data', asOf: 'Per tanggal', query: 'Pertanyaan', args: 'Argumen' },
  en: { version: 'Data version', asOf: 'As of', query: 'Query', args: 'Arguments' },
} as const;

/** The CSV: provenance lines (`# label: value`), the header, then one line per row. */
export function toCsv(table: KpiTable, locale: KpiLocale): string {
  const f = FORMAT[locale];
  const p = PROVENANCE[locale];
  const provenance = [
    `# ${p.version}: ${table.version ?? '-'}`,
    `# ${p.asOf}: ${table.asOf ?? '-'}`,
    `# ${p.query}: ${table.kind}`,
    `# ${p.args}: ${JSON.stringify(table.args)}`,
  ];
  // csv-stringify quotes and escapes; formula cells are neutralised here rather than by its
  // escape_formulas, which would also prefix negative numbers (`-1.234,5`) that are no formulas.
  const body = stringify(
    [
      table.columns.map((c) => neutralise(locale === 'id' ? c.id : c.en)),
      ...table.rows.map((row) => row.map((cell, i) => formatCell(cell, table.columns[i]!, locale))),
    ],
    // A line break inside a field is quoted whichever it is (csv-stringify alone quotes only CRLF).
    { delimiter: f.separator, record_delimiter: 'windows', quoted_match: /[\r\n]/ },
  );
  return `${provenance.join('\r\n')}\r\n${body}`;
}
