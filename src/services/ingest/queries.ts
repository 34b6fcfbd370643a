// Reads of ingest state for the graph: run history with its filters, sources.
import type { Prisma, RunStatus, RunTrigger } from '../../generated/prisma/client.js';
import { pool, prisma } from '../../lib/db.js';

export interface RunFilter {
  sourceKey?: string | null;
  dataset?: string | null;
  statuses?: RunStatus[] | null;
  triggers?: RunTrigger[] | null;
}

export function runWhere(filter: RunFilter): Prisma.IngestRunWhereInput {
  return {
    ...(filter.sourceKey ? { source: { key: filter.sourceKey } } : {}),
    ...(filter.dataset ? { dataset: filter.dataset } : {}),
    ...(filter.statuses?.length ? { status: { in: filter.statuses } } : {}),
    ...(filter.triggers?.length ? { trigger: { in: filter.triggers } } : {}),
  };
}

/** Newest first. */
export function listRuns<Q extends object>(query: Q, filter: RunFilter) {
  return prisma.ingestRun.findMany({ ...query, where: runWhere(filter), orderBy: [{ id: 'desc' }] });
}

export function countRuns(filter: RunFilter): Promise<number> {
  return prisma.ingestRun.count({ where: runWhere(filter) });
}

export function findRun<Q extends object>(query: Q, id: number) {
  return prisma.ingestRun.findUnique({ ...query, where: { id } });
}

export function findRuns<Q extends object>(query: Q, ids: number[]) {
  return prisma.ingestRun.findMany({ ...query, where: { id: { in: ids } }, orderBy: { id: 'asc' } });
}

export function findSource<Q extends object>(query: Q, key: string) {
  return prisma.feedSource.findUnique({ ...query, where: { key } });
}

export function listSourceRows<Q extends object>(query: Q, where: { enabled?: boolean }) {
  return prisma.feedSource.findMany({
    ...query,
    where,
    orderBy: [{ fiscalYear: 'asc' }, { dataset: 'asc' }, { key: 'asc' }],
  });
}

/** A run's rejected rows in file order: row number, natural key (when readable) and reason. */
export function listRejected(runId: number, take: number) {
  return prisma.rejectedRow.findMany({
    where: { runId },
    orderBy: { rowNumber: 'asc' },
    take,
    select: { rowNumber: true, sourceKey: true, reason: true },
  });
}

/** True when no procurement item exists yet: a fresh installation (the demo history is due with DEMO_SEED). */
export async function itemTableEmpty(): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM procurement_item LIMIT 1');
  return rows.length === 0;
}
