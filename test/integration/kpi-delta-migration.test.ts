// The item-delta migration on a database that already holds items and aggregates (some of them
// stale, as pending dirty buckets leave them): it seeds the deltas so that the current aggregates
// plus the deltas equal the items, and the first incremental recompute publishes exactly them.
import { copyFile, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, pool } from '../../src/lib/db.js';
import { MIGRATIONS_DIR, migrate } from '../../src/lib/migrate.js';
import { latestVersionId, recomputeKpis } from '../../src/services/kpi/recompute.js';
import { createAgency, upsertItems, withdrawItems } from '../factories/kpi-items.js';
import {
  pendingAggregates,
  pendingCommitments,
  scratchAggregates,
  scratchCommitments,
  versionAggregates,
  versionCommitments,
} from '../factories/kpi-scratch.js';
import { createTestDatabase } from '../helpers/db.js';

const DELTA_MIGRATION = '20261207320000_kpi_item_delta';
let url: string;

beforeAll(async () => {
  url = await createTestDatabase({ migrated: false });
  // Every migration before the delta one, as a database deployed before it has them.
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  const before = entries.filter((e) => e.isDirectory() && e.name < DELTA_MIGRATION).map((e) => e.name);
  const dir = await mkdtemp(join(tmpdir(), 'bisma-migrations-'));
  for (const name of before) {
    await mkdir(join(dir, name));
    await copyFile(join(MIGRATIONS_DIR, name, 'migration.sql'), join(dir, name, 'migration.sql'));
  }
  await migrate(url, dir);
});
afterAll(closeDb);

describe('the item-delta migration', () => {
  it('seeds deltas that bring stale current aggregates to the items', async () => {
    const a1 = (await createAgency()).id;
    const a2 = (await createAgency()).id;
    await upsertItems([
      { sourceKey: 'r1', agencyId: a1, value: '100.00', pdnValue: '80.00', itemDate: '2023-02-01' },
      { sourceKey: 'r2', agencyId: a2, value: '2000000.00', pdnValue: '50.00', itemDate: '2022-12-30' },
      { sourceKey: 'r3', agencyId: null, value: null, pdnValue: null, itemDate: null, vendorScale: 'MICRO' },
      { sourceKey: 'r4', agencyId: a1, value: '7.00', itemDate: '2023-05-05' },
      { sourceKey: 'p1', kind: 'PLAN', agencyId: a1, value: '300.00', pdnValue: '250.00' },
      { sourceKey: 'p2', kind: 'PLAN', agencyId: a2, value: '40.00', pdnValue: null },
    ]);
    await withdrawItems([{ sourceKey: 'r4' }]);
    // Current rows as an earlier recompute left them: one key the items still hold with other
    // figures, one they no longer hold; a commitment of a pair without plans.
    const { rows } = await pool.query<{ id: number }>(`INSERT INTO kpi_version DEFAULT VALUES RETURNING id`);
    const version = rows[0]!.id;
    await pool.query(
      `INSERT INTO kpi_aggregate (version_from, fiscal_year, month, agency_id, channel, vendor_scale, total_value,
         pdn_value, umk_value, item_count, unknown_count)
       VALUES ($1, 2023, 2, $2, 'TENDER', 'UNKNOWN', 60.00, 10.00, 0, 3, 1),
              ($1, 2023, 5, $2, 'TENDER', 'UNKNOWN', 7.00, 7.00, 0, 1, 0)`,
      [version, a1],
    );
    await pool.query(
      `INSERT INTO kpi_commitment (version_from, fiscal_year, agency_id, value, package_count, unknown_count)
       VALUES ($1, 2023, NULL, 12.00, 2, 0)`,
      [version],
    );

    await migrate(url);
    expect(await pendingAggregates()).toEqual(await scratchAggregates());
    expect(await pendingCommitments()).toEqual(await scratchCommitments());

    // A change after the migration is taken by the triggers; the first delta recompute then
    // publishes exactly what the items hold.
    await upsertItems([
      { sourceKey: 'r1', agencyId: a2, value: '100.00', pdnValue: '90.00', itemDate: '2023-03-01' },
    ]);
    await recomputeKpis({ reason: 'after the migration' });
    const latest = await latestVersionId();
    expect(latest).toBeGreaterThan(version);
    expect(await versionAggregates(latest)).toEqual(await scratchAggregates());
    expect(await versionCommitments(latest)).toEqual(await scratchCommitments());
  });
});
