// The 2023 Business Matching programme as the demo knows it: nine batches, ~200 exhibitors,
// sessions and deals. Deterministic: the same seed always yields the same programme, and the
// feed simulator reuses the exhibitors' vendor codes so programme conversion can be measured.
import type { ExhibitorScale, SessionKind } from '../generated/prisma/enums.js';
import { addDays } from '../lib/dates.js';
import { intBetween, pick, seededRng } from '../lib/random.js';
import { DEMO_AGENCIES } from './agencies.js';

export interface DemoEvent {
  batchNumber: number;
  title: string;
  venue: string;
  /** Asia/Jakarta calendar dates, YYYY-MM-DD. */
  startDate: string;
  endDate: string;
  description: string;
}

export interface DemoSession {
  batchNumber: number;
  kind: SessionKind;
  topic: string;
  /** ISO instants (converted from Asia/Jakarta wall time). */
  startsAt: string;
  endsAt: string;
  location: string;
}

export interface DemoProduct {
  name: string;
  category: string;
  tkdn: string;
  halal: boolean;
  ekatalogListed: boolean;
}

export interface DemoExhibitor {
  name: string;
  nib: string;
  npwp: string;
  vendorCode: string | null;
  scale: ExhibitorScale;
  sector: string;
  city: string;
  siinasRegistered: boolean;
  products: DemoProduct[];
  /** The batch where the exhibitor first took part. */
  firstBatch: number;
}

export interface DemoParticipation {
  batchNumber: number;
  nib: string;
  booth: string;
}

export interface DemoDeal {
  batchNumber: number;
  agencyCode: string;
  nib: string;
  value: string;
  description: string;
  signedOn: string;
}

export const PROGRAMME_YEAR = 2023;

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'];

// Monday of each batch; April 2023 was skipped (Idul Fitri), batch IX ran in November.
const BATCH_STARTS = [
  '2023-02-13',
  '2023-03-13',
  '2023-05-08',
  '2023-06-12',
  '2023-07-10',
  '2023-08-21',
  '2023-09-11',
  '2023-10-09',
  '2023-11-06',
];
const VENUES = [
  'Balai Kota DKI Jakarta',
  'Gedung Dinas Teknis Abdul Muis',
  'Balai Kota DKI Jakarta',
  'Jakarta International Convention Center',
  'Balai Kota DKI Jakarta',
  'Gedung Dinas Teknis Abdul Muis',
  'Balai Kota DKI Jakarta',
  'Taman Ismail Marzuki',
  'Balai Kota DKI Jakarta',
];
/** New exhibitors in each batch (sums to 200) and how many earlier exhibitors come back. */
const NEW_PER_BATCH = [26, 24, 22, 22, 22, 21, 21, 24, 18];
const RETURNING_PER_BATCH = [0, 1, 2, 2, 2, 2, 2, 0, 0];

const SECTORS = [
  'Makanan dan Minuman',
  'Alat Tulis Kantor',
  'Furnitur',
  'Tekstil dan Seragam',
  'Alat Kesehatan',
  'Konstruksi dan Bahan Bangunan',
  'Elektronik dan TIK',
  'Kerajinan',
  'Percetakan',
  'Kebersihan',
] as const;
const CITIES = [
  'Jakarta Pusat',
  'Jakarta Utara',
  'Jakarta Barat',
  'Jakarta Selatan',
  'Jakarta Timur',
  'Kepulauan Seribu',
];
const WORDS = [
  'Maju',
  'Jaya',
  'Sentosa',
  'Abadi',
  'Karya',
  'Mandiri',
  'Sejahtera',
  'Makmur',
  'Berkah',
  'Cipta',
  'Nusantara',
  'Betawi',
  'Cemerlang',
  'Harapan',
  'Lestari',
  'Gemilang',
  'Sinar',
  'Mitra',
  'Utama',
  'Prima',
];
// A few names carry accents so search must be accent-insensitive ("cafe" finds "Café").
const ACCENTED = ['Café Kopi Rakyat', 'Batik Réka Ayu', 'Kerajinan Anyaman Ñusa', 'Dapur Bundã'];
const PRODUCTS: Record<(typeof SECTORS)[number], string[]> = {
  'Makanan dan Minuman': ['Kopi bubuk robusta', 'Keripik singkong', 'Roti buaya', 'Sirup pala'],
  'Alat Tulis Kantor': ['Map arsip', 'Buku tulis', 'Kertas HVS daur ulang'],
  Furnitur: ['Meja kerja', 'Kursi lipat', 'Lemari arsip besi'],
  'Tekstil dan Seragam': ['Seragam dinas', 'Batik Betawi', 'Kaos olahraga'],
  'Alat Kesehatan': ['Masker medis', 'Tempat tidur pasien', 'Hand sanitizer'],
  'Konstruksi dan Bahan Bangunan': ['Paving block', 'Cat tembok', 'Pipa PVC'],
  'Elektronik dan TIK': ['Lampu LED', 'Laptop rakitan lokal', 'CCTV'],
  Kerajinan: ['Anyaman bambu', 'Ondel-ondel mini', 'Tas rotan'],
  Percetakan: ['Banner', 'Kalender dinding', 'Buku cetak'],
  Kebersihan: ['Sabun cair', 'Tempat sampah terpilah', 'Alat pel'],
};

/** Asia/Jakarta wall time (UTC+7, no DST) to an ISO instant. */
function jakarta(date: string, hhmm: string): string {
  return new Date(`${date}T${hhmm}:00+07:00`).toISOString();
}

function scaleFor(roll: number): ExhibitorScale {
  if (roll < 0.35) return 'MICRO';
  if (roll < 0.7) return 'SMALL';
  if (roll < 0.85) return 'MEDIUM';
  if (roll < 0.9) return 'LARGE';
  return 'KOPERASI';
}

export interface DemoProgramme {
  events: DemoEvent[];
  sessions: DemoSession[];
  exhibitors: DemoExhibitor[];
  participations: DemoParticipation[];
  deals: DemoDeal[];
}

export function demoProgramme(seed = 2023): DemoProgramme {
  const rng = seededRng(seed);
  const events: DemoEvent[] = BATCH_STARTS.map((start, i) => ({
    batchNumber: i + 1,
    title: `Business Matching P3DN Batch ${ROMAN[i]} ${PROGRAMME_YEAR}`,
    venue: VENUES[i]!,
    startDate: start,
    endDate: addDays(start, 3),
    description:
      'Temu bisnis antara perangkat daerah dan penyedia produk dalam negeri: sosialisasi P3DN, ' +
      'bimbingan teknis e-Katalog, pendaftaran akun Siinas, konsultasi dengan exhibitor dan pameran produk SMK.',
  }));

  const sessions: DemoSession[] = events.flatMap((e) => {
    const day = (n: number) => addDays(e.startDate, n);
    const at = (n: number, from: string, to: string, kind: SessionKind, topic: string): DemoSession => ({
      batchNumber: e.batchNumber,
      kind,
      topic,
      startsAt: jakarta(day(n), from),
      endsAt: jakarta(day(n), to),
      location: e.venue,
    });
    return [
      at(0, '09:00', '10:00', 'OPENING', 'Pembukaan dan penandatanganan komitmen'),
      at(0, '10:00', '12:00', 'SOSIALISASI', 'Sosialisasi P3DN dan Gernas Bangga Buatan Indonesia'),
      at(1, '09:00', '12:00', 'BIMBINGAN_TEKNIS', 'Bimbingan teknis penayangan produk di e-Katalog'),
      at(2, '09:00', '12:00', 'SIINAS_REGISTRATION', 'Pendaftaran akun Siinas untuk industri kecil'),
      at(2, '13:00', '16:00', 'CONSULTATION', 'Konsultasi perangkat daerah dengan exhibitor'),
      at(3, '09:00', '15:00', 'SHOWCASE', 'Pameran produk siswa SMK'),
    ];
  });

  const exhibitors: DemoExhibitor[] = [];
  const participations: DemoParticipation[] = [];
  let serial = 0;
  NEW_PER_BATCH.forEach((count, b) => {
    const batchNumber = b + 1;
    const earlier = exhibitors.slice();
    for (let k = 0; k < count; k++) {
      serial += 1;
      const scale = scaleFor(rng());
      const sector = pick(rng, SECTORS);
      const prefix =
        scale === 'KOPERASI' ? 'Koperasi' : scale === 'MICRO' ? 'UD' : scale === 'SMALL' ? 'CV' : 'PT';
      const base =
        serial % 50 === 7
          ? ACCENTED[(serial / 50) | 0]!
          : `${pick(rng, WORDS)} ${pick(rng, WORDS)} ${pick(rng, CITIES).split(' ')[1]}`;
      const productNames = PRODUCTS[sector];
      const productCount = intBetween(rng, 1, 3);
      const products: DemoProduct[] = productNames.slice(0, productCount).map((name) => ({
        name,
        category: sector,
        tkdn: (intBetween(rng, 2500, 9500) / 100).toFixed(2),
        halal: sector === 'Makanan dan Minuman' ? rng() < 0.9 : false,
        ekatalogListed: rng() < 0.55,
      }));
      exhibitors.push({
        name: `${prefix} ${base}${scale === 'LARGE' || scale === 'MEDIUM' ? ' Indonesia' : ''} ${serial}`,
        nib: String(9_120_000_000_000 + serial * 7_919),
        npwp: String(1_000_000_000_000_000 + serial * 104_729).slice(0, 16),
        // About 40 % are already LKPP vendors: they can show up in the procurement feed.
        vendorCode: serial % 5 < 2 ? String(8_000_000 + serial) : null,
        scale,
        sector,
        city: pick(rng, CITIES),
        siinasRegistered: rng() < 0.45,
        products,
        firstBatch: batchNumber,
      });
    }
    const fresh = exhibitors.slice(exhibitors.length - count);
    const returning = Array.from(
      { length: RETURNING_PER_BATCH[b]! },
      (_, r) => earlier[(r * 37 + b * 11) % earlier.length]!,
    );
    [...fresh, ...returning].forEach((x, i) => {
      participations.push({
        batchNumber,
        nib: x.nib,
        booth: `${String.fromCharCode(65 + (i % 4))}-${i + 1}`,
      });
    });
  });

  const deals: DemoDeal[] = [];
  for (const e of events) {
    const here = participations.filter((p) => p.batchNumber === e.batchNumber);
    const dealCount = intBetween(rng, 3, 7);
    for (let d = 0; d < dealCount; d++) {
      const p = here[(d * 5 + e.batchNumber) % here.length]!;
      const agency = DEMO_AGENCIES[(d * 7 + e.batchNumber * 3) % DEMO_AGENCIES.length]!;
      deals.push({
        batchNumber: e.batchNumber,
        agencyCode: agency.code,
        nib: p.nib,
        value: `${intBetween(rng, 25, 2_500) * 1_000_000}.00`,
        description: 'Kesepakatan pengadaan produk dalam negeri',
        signedOn: addDays(e.startDate, 2),
      });
    }
  }
  return { events, sessions, exhibitors, participations, deals };
}
