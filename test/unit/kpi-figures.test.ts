// KPI definitions in code: time phasing, projection, statuses and the commitment rule.
import { describe, expect, it } from '@jest/globals';
import {
  commitmentBasis,
  dueShare,
  elapsedDays,
  KpiFigures,
  projectYearEnd,
  type Totals,
  ZERO_TOTALS,
} from '../../src/services/kpi/figures.js';
import { Percent } from '../../src/services/kpi/numbers.js';

const totals = (pdn: bigint, extra: Partial<Totals> = {}): Totals => ({
  ...ZERO_TOTALS,
  pdnValue: pdn,
  ...extra,
});

describe('KPI figures', () => {
  it('counts days through the as-of date inclusive and clamps to the fiscal year', () => {
    expect(elapsedDays(2023, '2023-01-01')).toBe(1);
    expect(elapsedDays(2023, '2023-11-05')).toBe(309);
    expect(elapsedDays(2024, '2024-12-31')).toBe(366);
    expect(elapsedDays(2023, '2022-12-31')).toBe(0);
    expect(elapsedDays(2023, '2024-02-01')).toBe(365);
  });

  it('pro-rates by calendar days without a phase table', () => {
    expect(dueShare(2023, '2023-11-05', null).toFixed(4)).toBe(Percent.of(309n, 365n)!.toFixed(4));
    expect(dueShare(2023, '2023-12-31', null).toFixed(4)).toBe('100.0000');
  });

  it('interpolates a complete phase table within the month by day', () => {
    const phases = new Map([...Array(12).keys()].map((i) => [i + 1, Percent.fromText(String((i + 1) * 5))]));
    phases.set(12, Percent.fromText('100'));
    expect(dueShare(2023, '2023-03-31', phases).toFixed(4)).toBe('15.0000');
    // Halfway through April (15 of 30 days) between 15 % and 20 %.
    expect(dueShare(2023, '2023-04-15', phases).toFixed(4)).toBe('17.5000');
    expect(dueShare(2023, '2023-01-31', phases).toFixed(4)).toBe('5.0000');
  });

  it('ignores an incomplete phase table', () => {
    const partial = new Map([[1, Percent.fromText('50')]]);
    expect(dueShare(2023, '2023-01-31', partial).toFixed(4)).toBe(Percent.of(31n, 365n)!.toFixed(4));
  });

  it('projects the year end linearly and a closed year to its actual', () => {
    expect(projectYearEnd(2023, '2023-11-05', 1_310_000_000_000_000n)).toEqual({
      projected: 1_547_411_003_236_246n,
      elapsed: 309,
      days: 365,
      perDay: 4_239_482_200_647n,
    });
    expect(projectYearEnd(2022, '2022-12-31', 100n).projected).toBe(100n);
  });

  it('divides by the computed commitment whenever a plan counts, else by the official one', () => {
    expect(commitmentBasis({ computed: 10n, packageCount: 1, unknownCount: 0, official: 20n })).toBe(
      'COMPUTED',
    );
    expect(commitmentBasis({ computed: null, packageCount: 0, unknownCount: 0, official: 20n })).toBe(
      'OFFICIAL',
    );
    expect(commitmentBasis({ computed: null, packageCount: 0, unknownCount: 0, official: null })).toBe(
      'NONE',
    );
    const f = new KpiFigures(totals(30n), {
      computed: null,
      packageCount: 0,
      unknownCount: 0,
      official: 20n,
    });
    expect(f.attainment?.toFixed(1)).toBe('150.0');
    expect(f.status).toBe('ACHIEVED');
  });

  it('grades realisation against the target to date', () => {
    const commitment = { computed: 1000n, packageCount: 1, unknownCount: 0, official: null };
    const half = Percent.of(1n, 2n);
    expect(new KpiFigures(totals(500n), commitment, null, half).status).toBe('ON_TRACK');
    expect(new KpiFigures(totals(499n), commitment, null, half).status).toBe('BEHIND');
    expect(new KpiFigures(totals(499n), commitment, null, half).gapToDate).toBe(1n);
    expect(new KpiFigures(totals(5n)).status).toBe('NO_TARGET');
  });

  it('computes shares over items whose both values are known and grades them against targets', () => {
    const f = new KpiFigures(
      totals(0n, { pdnShareBase: 200n, pdnSharePart: 190n, umkShareBase: 0n, umkSharePart: 0n }),
      null,
      { pdnShareTarget: Percent.fromText('95.00'), umkShareTarget: Percent.fromText('40.00') },
    );
    expect(f.pdnShare?.toFixed(4)).toBe('95.0000');
    expect(f.pdnShareStatus).toBe('ON_TRACK');
    expect(f.umkShare).toBeNull();
    expect(f.umkShareStatus).toBe('NO_DATA');
  });
});
