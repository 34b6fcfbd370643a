// Real rows and real dumps: the streaming array reader, dataset recognition, the CSV delimiter,
// and the mapping rules fixed against real rows (cancelled recorded purchases, e-Katalog v5 and
// v6, addenda fields, suspect values).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { type FeedRow, type ProcurementDataset, parseRow } from '../../src/feed/contract.js';
import { DEFAULT_RULES, type MappingRules, mapRow, suspectReason } from '../../src/feed/mapping.js';
import { DataAsOf } from '../../src/feed/transports/as-of.js';
import { arrayElements, NotAnArrayError } from '../../src/feed/transports/json-array.js';
import { csvRecords, detectDelimiter } from '../../src/services/ingest/csv.js';
import { recogniseDataset } from '../../src/services/ingest/file.js';
import { prepareRow } from '../../src/services/ingest/rows.js';

function example(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(path.resolve(process.cwd(), 'test/fixtures/feed-examples', `${name}.json`), 'utf8'),
  ) as Record<string, unknown>;
}

function item<D extends ProcurementDataset>(dataset: D, raw: Record<string, unknown>, rules?: MappingRules) {
  const result = parseRow(dataset, raw);
  if (!result.ok) throw new Error(result.reason);
  return mapRow(dataset, result.row as FeedRow<D>, rules ?? DEFAULT_RULES);
}

async function elements(...chunks: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  async function* source() {
    yield* chunks.map((c) => new TextEncoder().encode(c));
  }
  for await (const e of arrayElements(source())) out.push(e);
  return out;
}

describe('arrayElements: one JSON array, streamed', () => {
  const rows = [example('rup-master-satker'), example('toko-daring-realisasi')];

  it('reads a pretty-printed array with a byte-order mark, split anywhere, record by record', async () => {
    const text = `\uFEFF${JSON.stringify(rows, null, 4)}`;
    const cut = [text.slice(0, 1), text.slice(1, 37), text.slice(37, 38), text.slice(38)];
    expect(await elements(...cut)).toEqual(rows);
    expect(await elements(JSON.stringify(rows))).toEqual(rows);
    expect(await elements('  [ ]  ')).toEqual([]);
  });

  it('refuses a value that is not an array, and a truncated array after the records before the cut', async () => {
    await expect(elements('{"data": []}')).rejects.toBeInstanceOf(NotAnArrayError);
    await expect(elements('')).rejects.toBeInstanceOf(NotAnArrayError);
    const text = JSON.stringify(rows);
    const got: unknown[] = [];
    async function* cut() {
      yield new TextEncoder().encode(text.slice(0, text.length - 20));
    }
    await expect(
      (async () => {
        for await (const e of arrayElements(cut())) got.push(e);
      })(),
    ).rejects.toThrow(/truncated|unexpected/i);
    expect(got).toEqual([rows[0]]);
  });
});

describe('reading dumps', () => {
  it('detects `;` (Indonesian Excel) and `,` from the header line, quotes respected', async () => {
    expect(detectDelimiter('kd_tender;no_kontrak;nilai_kontrak')).toBe(';');
    expect(detectDelimiter('order_id,valuasi,"a;b;c"')).toBe(',');
    const records = [];
    for await (const record of csvRecords(Readable.from(['a;"b;c"\r\n1;"Kurnia Citra Nusa; PT"\r\n'])))
      records.push(record);
    expect(records).toEqual([
      ['a', 'b;c'],
      ['1', 'Kurnia Citra Nusa; PT'],
    ]);
  });

  it('recognises every dataset from its real row’s fields', () => {
    expect(recogniseDataset(example('rup-master-satker'))).toBe('rup/master-satker');
    expect(recogniseDataset(example('rup-paket-penyedia'))).toBe('rup/paket-penyedia-terumumkan');
    expect(recogniseDataset(example('tender-ekontrak-kontrak'))).toBe('tender/tender-ekontrak-kontrak');
    expect(recogniseDataset(example('non-tender-selesai'))).toBe('tender/non-tender-ekontrak-kontrak');
    expect(recogniseDataset(example('pencatatan-non-tender'))).toBe('tender/pencatatan-non-tender');
    expect(recogniseDataset(example('ekatalog-paket-e-purchasing-v5'))).toBe('ekatalog/paket-e-purchasing');
    expect(recogniseDataset(example('ekatalog-paket-e-purchasing-v6'))).toBe('ekatalog/paket-e-purchasing');
    expect(recogniseDataset(example('toko-daring-realisasi'))).toBe('legacy/bela/toko-daring-realisasi');
    expect(recogniseDataset({ hello: 1 })).toBeNull();
  });

  it('dates a dump by its extraction date, else its latest item date, never after today', () => {
    const dated = new DataAsOf('tender/tender-ekontrak-kontrak', '2024-12-31');
    dated.see(example('tender-ekontrak-kontrak'));
    expect(dated.value).toBe('2024-04-19');
    dated.see({ tgl_kontrak: '2025-01-05' });
    expect(dated.value).toBe('2024-04-19');
    dated.see({ _event_date: '2024-06-15' });
    expect(dated.value).toBe('2024-06-15');
  });

  it('rejects a row of another KLPD than the snapshot’s with that reason', () => {
    const row = example('toko-daring-realisasi');
    expect(prepareRow('legacy/bela/toko-daring-realisasi', row, { klpdCode: 'D197' })).toMatchObject({
      ok: false,
      reason: "kd_klpd D107 is another KLPD than this snapshot's D197",
      key: '4397296',
    });
  });

  it('resolves Toko Daring’s numeric kd_satker through master-satker, with the hash of the row as sent', () => {
    const row = example('toko-daring-realisasi');
    const scope = { klpdCode: 'D107' };
    const plain = prepareRow('legacy/bela/toko-daring-realisasi', row, scope);
    const resolved = prepareRow('legacy/bela/toko-daring-realisasi', row, {
      ...scope,
      satkerByNumber: new Map([['60442', '4.01.0.00.0.00.01.0000']]),
    });
    if (!plain.ok || !resolved.ok) throw new Error('rejected');
    expect(plain.item.agencyCode).toBe('60442');
    expect(resolved.item.agencyCode).toBe('4.01.0.00.0.00.01.0000');
    expect(resolved.item.contentHash).toBe(plain.item.contentHash);
  });
});

describe('rules fixed against real rows', () => {
  it('does not count a cancelled recorded purchase (Ditutup / Paket Dibatalkan), whatever its amounts', () => {
    const row = {
      ...example('pencatatan-non-tender-dibatalkan'),
      total_realisasi: 5000000,
      nilai_pdn_pct: 5000000,
    };
    expect(item('tender/pencatatan-non-tender', row)).toMatchObject({ counted: false, status: 'Ditutup' });
    expect(item('tender/pencatatan-non-tender', example('pencatatan-non-tender'))).toMatchObject({
      counted: true,
    });
  });

  it('maps e-Katalog v5 rows: satker_id, tanggal_buat_paket, paket_status_str', () => {
    const v5 = example('ekatalog-paket-e-purchasing-v5');
    expect(item('ekatalog/paket-e-purchasing', v5)).toMatchObject({
      agencyCode: '361176',
      itemDate: '2024-12-12',
      status: 'Paket Proses',
      counted: false,
      value: '167400000.00',
      pdnValue: null,
    });
    expect(item('ekatalog/paket-e-purchasing', { ...v5, paket_status_str: 'Paket Selesai' }).counted).toBe(
      true,
    );
  });

  it('counts a v6 order paid outside the system and delivered, unless the office excludes them', () => {
    const v6 = { ...example('ekatalog-paket-e-purchasing-v6'), status_pkt: 'PAYMENT_OUTSIDE_SYSTEM' };
    expect(item('ekatalog/paket-e-purchasing', v6).counted).toBe(true);
    expect(item('ekatalog/paket-e-purchasing', v6, { ekatalogOutsideSystem: 'exclude' }).counted).toBe(false);
    expect(item('ekatalog/paket-e-purchasing', { ...v6, status_pengiriman: 'ON_PROCESS' }).counted).toBe(
      false,
    );
    expect(item('ekatalog/paket-e-purchasing', example('ekatalog-paket-e-purchasing-v6')).counted).toBe(
      false,
    );
  });

  it('flags PDN above the value and a percentage typed into a rupiah field, and nothing else', () => {
    const base = { kind: 'REALISATION' as const };
    expect(suspectReason({ ...base, value: '100.00', pdnValue: '100.01' })).toMatch(/above/);
    expect(suspectReason({ ...base, value: '5000000.00', pdnValue: '95.00' })).toMatch(/percentage/);
    expect(suspectReason({ ...base, value: '5000000.00', pdnValue: '0.00' })).toBeNull();
    expect(suspectReason({ ...base, value: '50000.00', pdnValue: '95.00' })).toBeNull();
    expect(suspectReason({ ...base, value: null, pdnValue: '95.00' })).toBeNull();
    expect(suspectReason({ kind: 'PLAN', value: '1.00', pdnValue: '2.00' })).toBeNull();
  });

  it('reads the addendum fields of a contract', () => {
    const parsed = parseRow('tender/tender-ekontrak-kontrak', {
      ...example('tender-ekontrak-kontrak'),
      apakah_addendum: 'Ya',
      versi_addendum: '2',
    });
    expect(parsed).toMatchObject({ ok: true, row: { apakah_addendum: 'Ya', versi_addendum: 2 } });
  });
});
