// Compares two V8 heap snapshots (e.g. the soak's start and end): the object kinds that grew most,
// by retained count and self size, so a leak shows by name.
//
//   node --import tsx bench/heap-diff.ts start.heapsnapshot end.heapsnapshot [top]
import { readFile } from 'node:fs/promises';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size per "type:name" (constructor names for objects, source for closures). */
async function census(path: string): Promise<Map<string, { count: number; bytes: number }>> {
  const heap = JSON.parse(await readFile(path, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt]!]!;
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? '(strings)'
        : (heap.strings[heap.nodes[i + nameAt]!] ?? '?').slice(0, 80);
    const key = `${type}:${name}`;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += heap.nodes[i + sizeAt]!;
    out.set(key, entry);
  }
  return out;
}

const [beforePath, afterPath, topArg] = process.argv.slice(2);
if (!beforePath || !afterPath)
  throw new Error('usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [top]');
const [before, after] = await Promise.all([census(beforePath), census(afterPath)]);
const total = (m: Map<string, { bytes: number }>) => [...m.values()].reduce((a, b) => a + b.bytes, 0);
const rows = [...after.entries()]
  .map(([key, a]) => {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, count: a.count - b.count, bytes: a.bytes - b.bytes };
  })
  .sort((x, y) => y.bytes - x.bytes)
  .slice(0, Number(topArg ?? 25));
const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
process.stdout.write(`heap: ${mb(total(before))} MB -> ${mb(total(after))} MB\n`);
for (const r of rows)
  process.stdout.write(`${mb(r.bytes).padStart(8)} MB ${String(r.count).padStart(8)}  ${r.key}\n`);
