// Correctness proof of the incremental recompute: random sequences of snapshots (new, changed,
// withdrawn and rejected rows, official commitments changed) are applied the way ingest applies
// them; after every recompute each aggregate equals a from-scratch SQL computation over the
// stored items, and every earlier data version still reads exactly as it did when published.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { closeDb, pool } from '../../src/lib/db.js';
import { latestVersionId, recomputeKpis } from '../../src/services/kpi/recompute.js';
import {
  type Channel,
  createAgency,
  createRun,
  type ItemSpec,
  setTarget,
  upsertItems,
  withdrawItems,
} from '../factories/kpi-items.js';
import {
  pendingAggregates,
  pendingCommitments,
  scratchAggregates,
  scratchCommitments,
  versionAggregates,
  versionCommitments,
} from '../factories/kpi-scratch.js';
import { createTestDatabase } from '../helpers/db.js';

let agencies: (number | null)[] = [];

beforeAll(async () => {
  await createTestDatabase();
  const created = [await createAgency(), await createAgency(), await createAgency()];
  agencies = [...created.map((a) => a.id), null];
});
afterAll(closeDb);

const REALISATION_KEYS = 10;
const PLAN_KEYS = 4;

const moneyArb = fc.option(
  fc
    .integer({ min: 0, max: 5_000_000 })
    .map((cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`),
  { freq: 5 },
);

const dateArb = (year: number) =>
  fc.option(
    fc
      .oneof(
        fc.date({
          min: new Date(`${year}-01-01T00:00:00Z`),
          max: new Date(`${year}-12-31T00:00:00Z`),
          noInvalidDate: true,
        }),
        // Dates outside the fiscal year: they count in month 1 or 12 of it.
        fc.constantFrom(new Date(`${year - 1}-12-20T00:00:00Z`), new Date(`${year + 1}-01-05T00:00:00Z`)),
      )
      .map((d) => d.toISOString().slice(0, 10)),
    { freq: 6 },
  );

type Op =
  | { type: 'upsert'; item: ItemSpec }
  | { type: 'withdraw'; plan: boolean; key: number }
  | { type: 'reject'; plan: boolean; key: number };

const itemArb = (plan: boolean): fc.Arbitrary<ItemSpec> =>
  fc
    .record({
      key: fc.integer({ min: 0, max: (plan ? PLAN_KEYS : REALISATION_KEYS) - 1 }),
      year: fc.constantFrom(2022, 2023),
      agency: fc.integer({ min: 0, max: 3 }),
      value: moneyArb,
      pdnValue: moneyArb,
      umkValue: moneyArb,
      counted: fc.constantFrom(true, true, true, false),
      channel: fc.constantFrom<Channel>('TENDER', 'NON_TENDER', 'E_KATALOG', 'TOKO_DARING'),
      scale: fc.constantFrom('MICRO', 'SMALL', 'LARGE', 'UNKNOWN') as fc.Arbitrary<ItemSpec['vendorScale']>,
    })
    .chain((r) =>
      dateArb(r.year).map(
        (itemDate): ItemSpec => ({
          sourceKey: `${plan ? 'p' : 'r'}${r.key}`,
          kind: plan ? 'PLAN' : 'REALISATION',
          channel: plan ? 'RUP' : r.channel,
          fiscalYear: r.year,
          agencyId: agencies[r.agency] ?? null,
          value: r.value,
          pdnValue: r.pdnValue,
          umkValue: r.umkValue,
          itemDate,
          counted: r.counted,
          vendorScale: r.scale,
        }),
      ),
    );

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.boolean().chain((plan) => itemArb(plan).map((item): Op => ({ type: 'upsert', item }))),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ plan: fc.boolean(), key: fc.integer({ min: 0, max: PLAN_KEYS - 1 }) })
      .map((r): Op => ({ type: 'withdraw', ...r })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ plan: fc.boolean(), key: fc.integer({ min: 0, max: PLAN_KEYS - 1 }) })
      .map((r): Op => ({ type: 'reject', ...r })),
  },
);

const snapshotArb = fc.record({
  ops: fc.array(opArb, { minLength: 0, maxLength: 8 }),
  year: fc.constantFrom(2022, 2023),
  official: fc.option(fc.constantFrom('1000.00', '2500.50', null as string | null), { freq: 4 }),
  recompute: fc.constantFrom('delta', 'delta', 'delta', 'full', 'skip'),
});

/** Empties what a sequence wrote (DELETE: on these few rows far cheaper than TRUNCATE). */
async function reset(): Promise<void> {
  await pool.query(`DELETE FROM kpi_run_quarantine; DELETE FROM kpi_run_consumed; DELETE FROM kpi_version_year;
    DELETE FROM kpi_aggregate; DELETE FROM kpi_commitment; DELETE FROM kpi_version; DELETE FROM kpi_dirty_bucket;
    DELETE FROM procurement_item; DELETE FROM kpi_item_delta; DELETE FROM kpi_commitment_delta; DELETE FROM fiscal_target;
    DELETE FROM ingest_run; DELETE FROM feed_source`);
}

type Snapshot = typeof snapshotArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * The delta invariant, after every write to the items: the current aggregates plus the pending
 * item deltas equal a from-scratch computation over the items.
 */
async function expectDeltasInStep(): Promise<void> {
  expect(await pendingAggregates()).toEqual(await scratchAggregates());
  expect(await pendingCommitments()).toEqual(await scratchCommitments());
}

async function apply(snapshot: Snapshot, day: number): Promise<number> {
  const run = await createRun({
    fiscalYear: snapshot.year,
    asOf: `${snapshot.year}-06-${String(day).padStart(2, '0')}`,
  });
  for (const op of snapshot.ops) {
    if (op.type === 'upsert') await upsertItems([op.item], run);
    else if (op.type === 'withdraw')
      await withdrawItems(
        [
          {
            dataset: op.plan ? 'rup/paket-penyedia-terumumkan' : 'tender/tender-ekontrak-kontrak',
            sourceKey: `${op.plan ? 'p' : 'r'}${op.key}`,
          },
        ],
        run,
      );
    // A rejected row changes no item: its key keeps its last good version.
    await expectDeltasInStep();
  }
  if (snapshot.official !== null) {
    await setTarget({ fiscalYear: 2023, agencyId: agencies[0]!, officialCommitment: snapshot.official });
  }
  return run;
}

async function officialsMatch(): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT t.fiscal_year, t.agency_id FROM fiscal_target t
     LEFT JOIN kpi_commitment c ON c.version_to IS NULL AND c.fiscal_year = t.fiscal_year AND c.agency_id = t.agency_id
     WHERE t.official_commitment IS DISTINCT FROM c.official_value`,
  );
  return rows.length === 0;
}

describe('incremental recompute (property)', () => {
  it('after every snapshot, each aggregate equals a from-scratch computation and old versions never change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(snapshotArb, { minLength: 1, maxLength: 6 }), async (snapshots) => {
        await reset();
        const published = new Map<number, { aggregates: string[]; commitments: string[] }>();
        const check = async (version: number) => {
          const aggregates = await versionAggregates(version);
          const commitments = await versionCommitments(version);
          expect(aggregates).toEqual(await scratchAggregates());
          expect(commitments).toEqual(await scratchCommitments());
          expect(await officialsMatch()).toBe(true);
          published.set(version, { aggregates, commitments });
        };
        let day = 1;
        for (const snapshot of snapshots) {
          const run = await apply(snapshot, day++);
          if (snapshot.recompute === 'skip') continue;
          await recomputeKpis({
            reason: 'property',
            runIds: [run],
            full: snapshot.recompute === 'full',
          });
          // The stored tables' newest version (published, held or unchanged) mirrors the items.
          await check(await latestVersionId());
        }
        await recomputeKpis({ reason: 'drain' });
        await check(await latestVersionId());
        expect((await pool.query('SELECT count(*)::int AS n FROM kpi_dirty_bucket')).rows[0].n).toBe(0);
        for (const [v, expected] of published) {
          expect(await versionAggregates(v)).toEqual(expected.aggregates);
          expect(await versionCommitments(v)).toEqual(expected.commitments);
        }
      }),
      { numRuns: 60 },
    );
  }, 300_000);

  const moveArb = fc.oneof(
    { weight: 2, arbitrary: dateArb(2023).map((itemDate) => ({ field: 'itemDate' as const, to: itemDate })) },
    {
      weight: 2,
      arbitrary: fc.integer({ min: 0, max: 3 }).map((a) => ({ field: 'agency' as const, to: a })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom<Channel>('TENDER', 'NON_TENDER', 'E_KATALOG', 'TOKO_DARING')
        .map((c) => ({ field: 'channel' as const, to: c })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom<NonNullable<ItemSpec['vendorScale']>>('MICRO', 'SMALL', 'LARGE', 'UNKNOWN')
        .map((v) => ({ field: 'vendorScale' as const, to: v })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(2022, 2023).map((y) => ({ field: 'fiscalYear' as const, to: y })),
    },
    { weight: 1, arbitrary: moneyArb.map((v) => ({ field: 'pdnValue' as const, to: v })) },
    { weight: 2, arbitrary: fc.constant({ field: 'withdraw' as const, to: null }) },
    { weight: 2, arbitrary: fc.constant({ field: 'bringBack' as const, to: null }) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('delta', 'delta', 'full')
        .map((r) => ({ field: 'recompute' as const, to: r })),
    },
  );
  const stepArb = fc.record({ key: fc.integer({ min: 0, max: 2 }), move: moveArb });

  it('an item moved between buckets, withdrawn and brought back keeps aggregates plus deltas equal to the items', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        await reset();
        // Two realisation items and a plan, all counted, in one bucket to start with.
        const items: ItemSpec[] = [0, 1, 2].map((k) => ({
          sourceKey: `m${k}`,
          kind: k === 2 ? 'PLAN' : 'REALISATION',
          channel: k === 2 ? 'RUP' : 'TENDER',
          fiscalYear: 2023,
          agencyId: agencies[0] ?? null,
          value: '1500000.00',
          pdnValue: k === 1 ? '50.00' : '900000.00',
          umkValue: null,
          itemDate: '2023-04-10',
          vendorScale: 'SMALL',
        }));
        await upsertItems(items);
        await expectDeltasInStep();
        for (const { key, move } of steps) {
          const item = items[key]!;
          if (move.field === 'recompute') {
            await recomputeKpis({ reason: 'moves', full: move.to === 'full' });
            const version = await latestVersionId();
            expect(await versionAggregates(version)).toEqual(await scratchAggregates());
            expect(await versionCommitments(version)).toEqual(await scratchCommitments());
            // With the check below, what stays pending (a full recompute keeps the deltas of years it
            // did not read) cancels out.
          } else if (move.field === 'withdraw') {
            await withdrawItems([
              {
                dataset: item.kind === 'PLAN' ? 'rup/paket-penyedia-terumumkan' : undefined,
                sourceKey: item.sourceKey,
              },
            ]);
          } else if (move.field === 'bringBack') {
            // The same row again: a withdrawn item comes back where it stood.
            await upsertItems([item]);
          } else {
            if (move.field === 'agency') item.agencyId = agencies[move.to] ?? null;
            else if (move.field === 'channel') item.channel = item.kind === 'PLAN' ? 'RUP' : move.to;
            else if (move.field === 'itemDate') item.itemDate = move.to;
            else if (move.field === 'vendorScale') item.vendorScale = move.to;
            else if (move.field === 'fiscalYear') item.fiscalYear = move.to;
            else item.pdnValue = move.to;
            // A changed row also brings a withdrawn item back (ingest restores a key that reappears).
            await upsertItems([item]);
          }
          await expectDeltasInStep();
        }
        await recomputeKpis({ reason: 'drain' });
        const version = await latestVersionId();
        expect(await versionAggregates(version)).toEqual(await scratchAggregates());
        expect(await versionCommitments(version)).toEqual(await scratchCommitments());
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
