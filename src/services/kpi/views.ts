// Saved views: a named KPI question with its arguments, addressed by a short id, either pinned to
// the data version it showed when saved (a link that always reproduces the same numbers) or
// following the latest published figures.
import { randomBytes } from 'node:crypto';
import { pool } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { type KpiTable, kpiTable, parseQuestion, type QueryKind } from './tables.js';

export interface SavedView {
  id: string;
  name: string;
  kind: QueryKind;
  args: Record<string, unknown>;
  /** The data version it reads; null: it follows the latest published one. */
  pinnedVersion: number | null;
  createdAt: Date;
}

interface ViewRow {
  id: string;
  name: string;
  kind: QueryKind;
  args: Record<string, unknown>;
  pinned_version: number | null;
  created_at: Date;
}

const toView = (r: ViewRow): SavedView => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  args: r.args,
  pinnedVersion: r.pinned_version,
  createdAt: r.created_at,
});

/** 48 random bits as 8 URL-safe characters: short enough for a link, too many to guess. */
function shortId(): string {
  return randomBytes(6).toString('base64url');
}

export async function createView(input: {
  name: string;
  kind: QueryKind;
  args: unknown;
  pinned: boolean;
  createdBy: number | null;
}): Promise<SavedView> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200)
    throw new ValidationError('name', 'must be 1 to 200 characters');
  const args = parseQuestion(input.kind, input.args);
  // Pinned: the version the question reads now, so the view shows exactly what its author saw.
  const pinnedVersion = input.pinned ? ((await kpiTable(input.kind, args)).version ?? null) : null;
  if (input.pinned && pinnedVersion === null) {
    throw new ValidationError('pinned', 'there are no published figures for this year to pin to');
  }
  const { rows } = await pool.query<ViewRow>(
    `INSERT INTO kpi_saved_view (id, name, kind, args, pinned_version, created_by)
     VALUES ($1, $2, $3::"KpiQueryKind", $4, $5, $6)
     RETURNING id, name, kind::text AS kind, args, pinned_version, created_at`,
    [shortId(), name, input.kind, JSON.stringify(args), pinnedVersion, input.createdBy],
  );
  return toView(rows[0]!);
}

export async function getView(id: string): Promise<SavedView | null> {
  const { rows } = await pool.query<ViewRow>(
    `SELECT id, name, kind::text AS kind, args, pinned_version, created_at FROM kpi_saved_view WHERE id = $1`,
    [id],
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** The view's numbers: as of its pinned version, or the latest published ones. */
export function viewTable(view: SavedView): Promise<KpiTable> {
  return kpiTable(view.kind, view.args, view.pinnedVersion);
}
