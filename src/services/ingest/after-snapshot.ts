// What a complete snapshot settles beyond its own rows, after a pull or a file import: addenda
// supersede the contracts they amend, e-Katalog orders take their RUP package's PDN status.
import type pg from 'pg';
import { applyAddenda } from './addenda.js';
import { joinOrderPackages } from './ekatalog-pdn.js';

export async function settleSnapshot(
  db: pg.PoolClient | pg.Pool,
  runId: number,
  scope: { dataset: string; klpdCode: string; fiscalYears: number[] },
): Promise<void> {
  await applyAddenda(db, runId, scope);
  await joinOrderPackages(db, runId, scope);
}
