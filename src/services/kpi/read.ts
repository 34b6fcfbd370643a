// Data access for KPI reads: which data version answers (year, as of), which agencies a question
// covers, and the summed aggregates, commitments and targets of that version.
import type { Agency } from '../../generated/prisma/client.js';
import { pool, prisma } from '../../lib/db.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Commitment, ShareTargets, Totals } from './figures.js';
import { type Cents, Percent, toCents } from './numbers.js';
import * as SQL from './read.sql.js';

export interface VersionPick {
  year: number;
  version: number;
  /** The source's as-of date of the newest snapshot behind the year's figures. */
  asOf: string | null;
  runIds: number[];
  fetchedAt: Date | null;
  /** When a later snapshot last found these figures unchanged. */
  confirmedAt: Date | null;
  /** False for a reconstruction of an earlier date (read only as of that date). */
  live: boolean;
  recomputedAt: Date;
  /** The snapshots behind it, when the read that picked it fetched them too. */
  snapshots?: Snapshot[];
}

export function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) {
    throw new ValidationError('year', 'must be a fiscal year between 2000 and 2100');
  }
}

/**
 * The published version that answers for `year` as of `asOf` (latest when null); with `pinned`,
 * the year as that version shows it (a saved view). Null before any data.
 */
export async function pickVersion(
  year: number,
  asOf?: string | null,
  pinned?: number | null,
): Promise<VersionPick | null> {
  const { rows } = await pool.query<{
    version: number;
    as_of: string | null;
    run_ids: number[] | null;
    fetched_at: Date | null;
    confirmed_at: Date | null;
    live: boolean;
    recomputed_at: Date;
  }>(SQL.PICK_VERSION, [year, asOf ?? null, pinned ?? null]);
  const row = rows[0];
  if (!row) return null;
  return {
    year,
    version: row.version,
    asOf: row.as_of,
    runIds: row.run_ids ?? [],
    fetchedAt: row.fetched_at,
    confirmedAt: row.confirmed_at,
    live: row.live,
    recomputedAt: row.recomputed_at,
  };
}

/** The agencies a question covers: one agency (with its sub-units by default) or all. */
export interface Scope {
  agency: Agency | null;
  /** Agency ids included; null means every item, those of unknown agencies too. */
  agencyIds: number[] | null;
  includeSubunits: boolean;
  /** Every agency, by id (the hierarchy is small and read whole). */
  agencies: Map<number, Agency>;
}

export async function loadAgencies(): Promise<Map<number, Agency>> {
  const all = await prisma.agency.findMany({ orderBy: { code: 'asc' } });
  return new Map(all.map((a) => [a.id, a]));
}

export function subtree(agencies: Map<number, Agency>, rootId: number): number[] {
  const children = new Map<number, number[]>();
  for (const a of agencies.values()) {
    if (a.parentId !== null) children.set(a.parentId, [...(children.get(a.parentId) ?? []), a.id]);
  }
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.includes(id)) continue;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

export async function resolveScope(
  agencyCode: string | null | undefined,
  includeSubunits = true,
): Promise<Scope> {
  const agencies = await loadAgencies();
  if (agencyCode === null || agencyCode === undefined) {
    return { agency: null, agencyIds: null, includeSubunits: true, agencies };
  }
  const agency = [...agencies.values()].find((a) => a.code === agencyCode);
  if (!agency) throw new NotFoundError('Agency', agencyCode);
  return {
    agency,
    agencyIds: includeSubunits ? subtree(agencies, agency.id) : [agency.id],
    includeSubunits,
    agencies,
  };
}

export interface TotalsRow {
  key: string | number | null;
  total_value: string;
  pdn_value: string;
  umk_value: string;
  item_count: number;
  unknown_pdn: number;
  unknown_value: number;
  unknown_umk: number;
  pdn_share_base: string;
  pdn_share_part: string;
  umk_share_base: string;
  umk_share_part: string;
  unknown_pdn_amount: string;
  suspect_count: number;
  suspect_value: string;
}

export function toTotals(r: TotalsRow): Totals {
  return {
    totalValue: toCents(r.total_value),
    pdnValue: toCents(r.pdn_value),
    umkValue: toCents(r.umk_value),
    itemCount: r.item_count,
    unknownPdn: r.unknown_pdn,
    unknownValue: r.unknown_value,
    unknownUmk: r.unknown_umk,
    pdnShareBase: toCents(r.pdn_share_base),
    pdnSharePart: toCents(r.pdn_share_part),
    umkShareBase: toCents(r.umk_share_base),
    umkSharePart: toCents(r.umk_share_part),
    unknownPdnAmount: toCents(r.unknown_pdn_amount),
    suspectCount: r.suspect_count,
    suspectValue: toCents(r.suspect_value),
  };
}

export interface CommitmentRow {
  agencyId: number | null;
  value: Cents;
  packageCount: number;
  unknownCount: number;
  official: Cents | null;
}

/**
 * The commitment of a scope. Computed: Σ of its agencies' plans. Official: the top-most official
 * figures in the scope, so a province figure is not added to its units' own figures.
 */
export function scopeCommitment(rows: CommitmentRow[], scope: Scope): Commitment {
  let computed = 0n;
  let packageCount = 0;
  let unknownCount = 0;
  for (const r of rows) {
    computed += r.value;
    packageCount += r.packageCount;
    unknownCount += r.unknownCount;
  }
  const inScope = (id: number) => scope.agencyIds === null || scope.agencyIds.includes(id);
  const withOfficial = new Set(
    rows.filter((r) => r.official !== null && r.agencyId !== null).map((r) => r.agencyId!),
  );
  let official: Cents | null = null;
  for (const r of rows) {
    if (r.official === null || r.agencyId === null) continue;
    let parent = scope.agencies.get(r.agencyId)?.parentId ?? null;
    let covered = false;
    while (parent !== null && inScope(parent)) {
      if (withOfficial.has(parent)) covered = true;
      parent = scope.agencies.get(parent)?.parentId ?? null;
    }
    if (!covered) official = (official ?? 0n) + r.official;
  }
  return { computed: packageCount > 0 ? computed : null, packageCount, unknownCount, official };
}

interface TargetRow {
  agency_id: number;
  official_commitment: string | null;
  pdn_share_target: string;
  umk_share_target: string;
}

export interface YearTargets {
  byAgency: Map<number, ShareTargets>;
  phases: Map<number | null, Map<number, Percent>>;
}

interface PhaseRow {
  agency_id: number | null;
  month: number;
  cumulative_percent: string;
}

function toTargets(targets: TargetRow[], phases: PhaseRow[]): YearTargets {
  const byAgency = new Map<number, ShareTargets>(
    targets.map((r) => [
      r.agency_id,
      {
        pdnShareTarget: Percent.fromText(r.pdn_share_target),
        umkShareTarget: Percent.fromText(r.umk_share_target),
      },
    ]),
  );
  const phaseMap = new Map<number | null, Map<number, Percent>>();
  for (const r of phases) {
    const months = phaseMap.get(r.agency_id) ?? new Map<number, Percent>();
    months.set(r.month, Percent.fromText(r.cumulative_percent));
    phaseMap.set(r.agency_id, months);
  }
  return { byAgency, phases: phaseMap };
}

/**
 * The agency whose targets stand for a scope: the scope's agency or its nearest ancestor with
 * targets; for the whole province, the top-level agency with targets (the PROVINCE one first).
 */
export function targetAgency(scope: Scope, targets: YearTargets): number | null {
  if (scope.agency) {
    let id: number | null = scope.agency.id;
    while (id !== null) {
      if (targets.byAgency.has(id)) return id;
      id = scope.agencies.get(id)?.parentId ?? null;
    }
    return null;
  }
  const roots = [...scope.agencies.values()]
    .filter((a) => a.parentId === null && targets.byAgency.has(a.id))
    .sort((a, b) => Number(b.kind === 'PROVINCE') - Number(a.kind === 'PROVINCE') || a.id - b.id);
  return roots[0]?.id ?? null;
}

export function phasesFor(targets: YearTargets, agencyId: number | null): Map<number, Percent> | null {
  const own = agencyId === null ? undefined : targets.phases.get(agencyId);
  return own ?? targets.phases.get(null) ?? null;
}

export interface Snapshot {
  runId: number;
  dataset: string;
  status: string;
  asOf: string | null;
  startedAt: Date | null;
  fetchedAt: Date | null;
}

export async function snapshots(runIds: number[]): Promise<Snapshot[]> {
  if (runIds.length === 0) return [];
  const { rows } = await pool.query<{
    id: number;
    dataset: string;
    status: string;
    as_of: string | null;
    started_at: Date | null;
    finished_at: Date | null;
  }>(SQL.SNAPSHOTS, [runIds]);
  return rows.map((r) => ({
    runId: r.id,
    dataset: r.dataset,
    status: r.status,
    asOf: r.as_of,
    startedAt: r.started_at,
    fetchedAt: r.finished_at,
  }));
}

/** A KPI question's reads, as `readYear` answers them in one statement. */
export interface YearRead {
  scope: Scope;
  pick: VersionPick | null;
  /** The aggregates valid at the picked version, summed by each grouping asked for. */
  sums: Map<SQL.AggregateGroup, Map<string | number | null, Totals>>;
  /** The scope's commitment rows at the picked version. */
  commitments: CommitmentRow[];
  targets: YearTargets;
  /** The sums split by two keys at once (text keys), when asked for; in key order. */
  cross: Array<TotalsRow & { row_key: string | null; column_key: string | null }>;
}

/** Two key expressions (SQL over kpi_aggregate's columns, as text) to split the sums by at once. */
export interface CrossKeys {
  rows: string;
  columns: string;
}

export interface YearQuestion {
  year: number;
  /** An agency code; null for every item (those of unknown agencies too). */
  agency?: string | null;
  includeSubunits?: boolean | null;
  asOf?: string | null;
  version?: number | null;
}

type Json<T> = { [K in keyof T]: T[K] extends Date | null ? string | null : T[K] };

const dateOf = (v: string | null): Date | null => (v === null ? null : new Date(v));

const readYearTexts = new Map<string, string>();

const readYearKey = (groups: SQL.AggregateGroup[], cross?: CrossKeys) =>
  cross ? `${groups.join(',')}:${cross.rows}:${cross.columns}` : groups.join(',');

function readYearSql(groups: SQL.AggregateGroup[], cross?: CrossKeys): string {
  const key = readYearKey(groups, cross);
  let text = readYearTexts.get(key);
  if (text === undefined) {
    text = SQL.readYear(groups, cross);
    readYearTexts.set(key, text);
  }
  return text;
}

/**
 * Everything one KPI answer needs, read in one statement (read.sql.ts `readYear`): the scope, the
 * version that answers, its aggregates summed by `groups`, its commitments and the year's targets.
 * An unknown agency code is a NotFoundError, as `resolveScope` has it.
 */
export async function readYear(
  q: YearQuestion,
  groups: SQL.AggregateGroup[],
  cross?: CrossKeys,
): Promise<YearRead> {
  const includeSubunits = q.includeSubunits ?? true;
  const { rows } = await pool.query<{
    pick:
      | (Pick<VersionPick, 'version' | 'live'> & {
          as_of: string | null;
          run_ids: number[] | null;
          fetched_at: string | null;
          confirmed_at: string | null;
          recomputed_at: string;
          snapshots: Array<{
            id: number;
            dataset: string;
            status: string;
            as_of: string | null;
            started_at: string | null;
            finished_at: string | null;
          }> | null;
        })
      | null;
    agencies: Json<Agency>[] | null;
    agency_ids: number[] | null;
    sums: Array<TotalsRow & { grp: SQL.AggregateGroup; key: string | null }> | null;
    cross_sums: YearRead['cross'] | null;
    commitments: Array<{
      agency_id: number | null;
      value: string;
      package_count: number;
      unknown_count: number;
      official_value: string | null;
    }> | null;
    targets: TargetRow[] | null;
    phases: PhaseRow[] | null;
  }>({
    // Named: each pooled connection prepares it once, and PostgreSQL stops planning it anew per
    // request (planning this statement costs about as much as running it).
    name: `kpi-read-year:${readYearKey(groups, cross)}`,
    text: readYearSql(groups, cross),
    values: [q.year, q.asOf ?? null, q.version ?? null, q.agency ?? null, includeSubunits],
  });
  const row = rows[0]!;

  const agencies = new Map<number, Agency>(
    (row.agencies ?? []).map((a) => [
      a.id,
      {
        ...a,
        createdAt: new Date(a.createdAt as unknown as string),
        updatedAt: new Date(a.updatedAt as unknown as string),
      },
    ]),
  );
  let scope: Scope = { agency: null, agencyIds: null, includeSubunits: true, agencies };
  if (q.agency !== null && q.agency !== undefined) {
    const agency = [...agencies.values()].find((a) => a.code === q.agency);
    if (!agency) throw new NotFoundError('Agency', q.agency);
    scope = { agency, agencyIds: row.agency_ids ?? [agency.id], includeSubunits, agencies };
  }

  const p = row.pick;
  const pick: VersionPick | null = p
    ? {
        year: q.year,
        version: p.version,
        asOf: p.as_of,
        runIds: p.run_ids ?? [],
        fetchedAt: dateOf(p.fetched_at),
        confirmedAt: dateOf(p.confirmed_at),
        live: p.live,
        recomputedAt: new Date(p.recomputed_at),
        snapshots: (p.snapshots ?? []).map((r) => ({
          runId: r.id,
          dataset: r.dataset,
          status: r.status,
          asOf: r.as_of,
          startedAt: dateOf(r.started_at),
          fetchedAt: dateOf(r.finished_at),
        })),
      }
    : null;

  const sums = new Map<SQL.AggregateGroup, Map<string | number | null, Totals>>(
    groups.map((g) => [g, new Map()]),
  );
  for (const s of row.sums ?? []) {
    const numeric = s.grp === 'agency_id' || s.grp === 'month';
    sums.get(s.grp)!.set(numeric && s.key !== null ? Number(s.key) : s.key, toTotals(s));
  }

  const commitments = (row.commitments ?? []).map((r) => ({
    agencyId: r.agency_id,
    value: toCents(r.value),
    packageCount: r.package_count,
    unknownCount: r.unknown_count,
    official: r.official_value === null ? null : toCents(r.official_value),
  }));

  return {
    scope,
    pick,
    sums,
    commitments,
    targets: toTargets(row.targets ?? [], row.phases ?? []),
    cross: row.cross_sums ?? [],
  };
}
