// valueId: the id of a value type is a digest of its figures, whatever order or form they come in.
import { describe, expect, it } from '@jest/globals';
import { valueId } from '../../src/schema/common.js';

const id = (value: unknown, typename = 'KpiDelta') => valueId(typename).resolve(value);
const decode = (global: string) => Buffer.from(global, 'base64').toString('utf8');

describe('valueId', () => {
  it('gives the same figures the same id, whatever the key order', () => {
    expect(id({ a: 1n, b: { c: 'x', d: [1, 2] } })).toBe(id({ b: { d: [1, 2], c: 'x' }, a: 1n }));
    expect(decode(id({ a: 1 }))).toMatch(/^KpiDelta:[\w-]{27}$/);
  });

  it('gives different figures, types or map contents different ids', () => {
    const ids = [
      id({ a: 1 }),
      id({ a: 2 }),
      id({ a: '1' }),
      id({ a: 1 }, 'KpiText'),
      id({ m: new Map([[1, 'x']]) }),
      id({ m: new Map([[1, 'y']]) }),
      id({ a: [1, 2] }),
      id({ a: [12] }),
      id({ d: new Date('2030-01-01T00:00:00Z') }),
      id({ d: new Date('2030-01-02T00:00:00Z') }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers a cyclic value without looping, and a key function picks what counts', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(id(cyclic)).toBe(id(cyclic));
    const byVersion = valueId('ServerInfo', (s: { version: string; time: number }) => s.version);
    expect(byVersion.resolve({ version: '1.0', time: 1 })).toBe(
      byVersion.resolve({ version: '1.0', time: 2 }),
    );
  });
});
