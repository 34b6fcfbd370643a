// The simulator's generator without HTTP: determinism, the planted traps, revisions, scaling.
import { describe, expect, it } from '@jest/globals';
import DecimalModule from 'decimal.js';
import { demoProgramme } from '../../src/demo/programme.js';
import {
  DEFAULT_ROWS,
  type RawRow,
  REPORTED_FIGURES,
  SimData,
  snapshotRows,
} from '../../src/demo/sim-data.js';
import {
  type FeedDataset,
  PROCUREMENT_DATASETS,
  type ProcurementDataset,
  parseRow,
} from '../../src/feed/contract.js';
import { type FeedItem, mapRow } from '../../src/feed/mapping.js';

// decimal.js's types describe its CommonJS build; under ESM its default export is the class itself.
const Decimal = ((DecimalModule as unknown as { default?: unknown }).default ??
  DecimalModule) as typeof DecimalModule.Decimal;

const data = new SimData({ seed: 2023, klpd: 'D999' });

function rows(dataset: FeedDataset, year: number, asOf: string | null = null, source = data): RawRow[] {
  return [...snapshotRows(source, dataset, year, asOf)];
}

/** Valid rows of a snapshot, deduplicated by natural key, mapped. */
function items(
  dataset: ProcurementDataset,
  year: number,
  asOf: string | null = null,
  source = data,
): FeedItem[] {
  const byKey = new Map<string, FeedItem>();
  for (const raw of rows(dataset, year, asOf, source)) {
    const result = parseRow(dataset, raw);
    if (result.ok) byKey.set(result.key, mapRow(dataset, result.row));
  }
  return [...byKey.values()];
}

function totals(year: number, asOf: string, source = data) {
  let commitment = new Decimal(0);
  let pdn = new Decimal(0);
  let umk = new Decimal(0);
  let value = new Decimal(0);
  for (const dataset of PROCUREMENT_DATASETS) {
    for (const it of items(dataset, year, asOf, source)) {
      if (!it.counted) continue;
      if (it.kind === 'PLAN') {
        if (it.pdnValue !== null) commitment = commitment.plus(it.pdnValue);
      } else if (it.itemDate !== null && it.itemDate <= asOf) {
        if (it.pdnValue !== null) pdn = pdn.plus(it.pdnValue);
        if (it.umkValue !== null) umk = umk.plus(it.umkValue);
        if (it.value !== null) value = value.plus(it.value);
      }
    }
  }
  return { commitment: commitment.toFixed(2), pdn: pdn.toFixed(2), umkShare: umk.div(value).toNumber() };
}

describe('simulator data', () => {
  it('builds the same bytes from the same seed and other bytes from another seed', () => {
    const again = new SimData({ seed: 2023, klpd: 'D999' });
    const other = new SimData({ seed: 7, klpd: 'D999' });
    const dataset = 'ekatalog/paket-e-purchasing';
    expect(JSON.stringify(rows(dataset, 2023, null, again))).toBe(JSON.stringify(rows(dataset, 2023)));
    expect(JSON.stringify(rows(dataset, 2023, null, other))).not.toBe(JSON.stringify(rows(dataset, 2023)));
  });

  it('keeps the default data set to a few thousand rows', () => {
    const perYear = Object.values(DEFAULT_ROWS).reduce((a, b) => a + b, 0);
    expect(perYear * 3).toBeLessThan(5_000);
    for (const dataset of PROCUREMENT_DATASETS)
      expect(rows(dataset, 2023)).toHaveLength(DEFAULT_ROWS[dataset]);
  });

  it('plants duplicates that are byte-identical to the row they repeat', () => {
    for (const dataset of PROCUREMENT_DATASETS) {
      const seen = new Map<string, string>();
      let duplicates = 0;
      for (const raw of rows(dataset, 2024)) {
        const result = parseRow(dataset, raw);
        if (!result.ok) continue;
        const text = JSON.stringify(raw);
        const earlier = seen.get(result.key);
        if (earlier !== undefined) {
          duplicates += 1;
          expect(text).toBe(earlier);
        }
        seen.set(result.key, text);
      }
      expect(duplicates).toBeGreaterThan(0);
    }
  });

  it('plants rows that fail validation, each with a readable key', () => {
    for (const dataset of PROCUREMENT_DATASETS) {
      const rejected = rows(dataset, 2023)
        .map((raw) => parseRow(dataset, raw))
        .filter((r) => !r.ok);
      expect(rejected.length).toBeGreaterThan(0);
      for (const r of rejected) expect(r.key).not.toBeNull();
    }
  });

  it('plants the traps of real data: date formats, kd_rup types, numbers as strings, HTML', () => {
    const contracts = rows('tender/tender-ekontrak-kontrak', 2023);
    const shapes = new Set(
      contracts
        .map((r) => String(r.tgl_kontrak).replace(/\d/g, '9'))
        .filter((s) => s !== 'null' && s !== 'undefined'),
    );
    expect(shapes.size).toBeGreaterThanOrEqual(4);
    expect(typeof rows('rup/paket-penyedia-terumumkan', 2023)[0]!.kd_rup).toBe('number');
    expect(typeof contracts[0]!.kd_rup).toBe('string');
    expect(contracts.some((r) => typeof r.nilai_kontrak === 'string')).toBe(true);
    expect(contracts.some((r) => /<b>|&amp;/.test(String(r.nama_paket)))).toBe(true);
    expect(rows('rup/paket-penyedia-terumumkan', 2023).every((r) => 'urarian_pekerjaan' in r)).toBe(true);
    expect(
      rows('legacy/bela/toko-daring-realisasi', 2023).every((r) => typeof r.kd_satker_str === 'string'),
    ).toBe(true);
  });

  it('includes unknown PDN values and non-PDN rows beside the counted ones', () => {
    const all = PROCUREMENT_DATASETS.flatMap((d) => items(d, 2023));
    expect(all.some((it) => it.counted && it.kind === 'REALISATION' && it.pdnValue === null)).toBe(true);
    expect(all.some((it) => it.counted && it.pdnValue === '0.00')).toBe(true);
    expect(all.some((it) => !it.counted && it.kind === 'REALISATION')).toBe(true);
  });

  it('keeps the UMK share of realisation between 25 % and 45 %', () => {
    for (const f of REPORTED_FIGURES) {
      const { umkShare } = totals(f.fiscalYear, f.asOf);
      expect(umkShare).toBeGreaterThan(0.25);
      expect(umkShare).toBeLessThan(0.45);
    }
  });

  it('answers an as_of snapshot with no row dated after that day', () => {
    for (const dataset of PROCUREMENT_DATASETS) {
      const snapshot = items(dataset, 2023, '2023-09-09');
      expect(snapshot.length).toBeGreaterThan(0);
      for (const it of snapshot) if (it.itemDate !== null) expect(it.itemDate <= '2023-09-09').toBe(true);
      expect(items(dataset, 2023).length).toBeGreaterThan(snapshot.length);
    }
  });

  it('revises RUP plans between the 2024 snapshots: packages added, changed and deleted', () => {
    const june = new Map(
      items('rup/paket-penyedia-terumumkan', 2024, '2024-06-09').map((it) => [it.sourceKey, it]),
    );
    const september = items('rup/paket-penyedia-terumumkan', 2024, '2024-09-06');
    const added = september.filter((it) => !june.has(it.sourceKey));
    const changed = september.filter(
      (it) => june.has(it.sourceKey) && june.get(it.sourceKey)!.value !== it.value,
    );
    const deleted = september.filter((it) => june.get(it.sourceKey)?.counted && it.status === 'Dihapus');
    expect(added.length).toBeGreaterThan(0);
    expect(changed).toHaveLength(4);
    expect(deleted).toHaveLength(1);
    expect(added.every((it) => it.itemDate! > '2024-06-09' && it.itemDate! <= '2024-09-06')).toBe(true);
  });

  it('lets exhibitors appear as vendors only after their first batch, and not all of them', () => {
    const programme = demoProgramme();
    const batchEnd = new Map(programme.events.map((e) => [e.batchNumber, e.endDate]));
    const exhibitors = new Map(
      programme.exhibitors.filter((x) => x.vendorCode).map((x) => [x.vendorCode!, x]),
    );
    const converted = new Set<string>();
    for (const year of [2022, 2023, 2024]) {
      for (const dataset of [
        'tender/tender-ekontrak-kontrak',
        'tender/non-tender-ekontrak-kontrak',
      ] as const) {
        for (const it of items(dataset, year)) {
          const exhibitor = it.vendorCode ? exhibitors.get(it.vendorCode) : undefined;
          if (!exhibitor) continue;
          expect(year).not.toBe(2022);
          expect(it.itemDate! > batchEnd.get(exhibitor.firstBatch)!).toBe(true);
          expect(it.vendorNpwp).toBe(exhibitor.npwp);
          converted.add(exhibitor.vendorCode!);
        }
      }
    }
    expect(converted.size).toBeGreaterThan(10);
    expect(converted.size).toBeLessThan(exhibitors.size);
  });

  it('scales a year to exactly `size` rows, from 10 rows up', () => {
    for (const size of [10, 37, 2_500]) {
      const scaled = new SimData({ seed: 2023, klpd: 'D999', size });
      for (const dataset of PROCUREMENT_DATASETS)
        expect(rows(dataset, 2024, null, scaled)).toHaveLength(size);
    }
  });

  it('still hits the reported figures exactly when scaled up', () => {
    const scaled = new SimData({ seed: 99, klpd: 'D999', size: 3_000 });
    const figure = REPORTED_FIGURES.find((f) => f.asOf === '2024-09-06')!;
    expect(totals(2024, figure.asOf, scaled)).toMatchObject({
      commitment: figure.commitment,
      pdn: figure.realisationPdn,
    });
  });

  it('serves years without reported figures from a plain script', () => {
    expect(totals(2025, '2025-12-31')).toMatchObject({
      commitment: '25000000000000.00',
      pdn: '21500000000000.00',
    });
  });
});
