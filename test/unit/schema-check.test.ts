// The schema contract: a removed field fails the check unless marked with a reason, a
// deprecation needs its own reason, and the committed schema passes against the released one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkContract, PATHS, parseAllowed, passes } from '../../scripts/schema-check.js';

const base = readFileSync(PATHS.current, 'utf8');
const FIELD = '  """Whether the unit still exists."""\n  active: Boolean!\n';
// Agency.active removed: a client selecting it would break.
const withoutField = base.replace(FIELD, '');
const MARK = {
  type: 'FIELD_REMOVED',
  path: 'Agency.active',
  reason: 'replaced by Agency.status; clients told 2026-11',
};

function runScript(current: string, allowed: unknown[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bisma-schema-check-'));
  const files = {
    schema: path.join(dir, 'schema.graphql'),
    released: path.join(dir, 'released.graphql'),
    allowed: path.join(dir, 'allowed.json'),
  };
  writeFileSync(files.schema, current);
  writeFileSync(files.released, base);
  writeFileSync(files.allowed, JSON.stringify(allowed));
  const args = ['--schema', files.schema, '--released', files.released, '--allowed', files.allowed];
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/schema-check.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

describe('the schema contract', () => {
  it('fails on an unmarked removed field, naming it, and passes once it is marked with a reason', async () => {
    expect(withoutField).not.toBe(base);
    const unmarked = await checkContract(base, withoutField, []);
    expect(passes(unmarked)).toBe(false);
    expect(unmarked.unmarked.map((c) => [c.type, c.path])).toEqual([['FIELD_REMOVED', 'Agency.active']]);

    const marked = await checkContract(base, withoutField, [MARK]);
    expect(passes(marked)).toBe(true);
    expect(marked.allowed.map((a) => [a.change.path, a.reason])).toEqual([['Agency.active', MARK.reason]]);
    expect(marked.unusedMarks).toEqual([]);
  });

  it('exits 1 from the command line on the unmarked removal and 0 when marked', () => {
    const failed = runScript(withoutField, []);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^schema contract FAILED\nBREAKING FIELD_REMOVED Agency\.active: /);
    const passed = runScript(withoutField, [MARK]);
    expect(passed.stderr).toBe('');
    expect(passed.status).toBe(0);
    expect(passed.stdout).toContain(`allowed breaking FIELD_REMOVED Agency.active: ${MARK.reason}`);
  });

  it('refuses a mark without a reason', () => {
    expect(() => parseAllowed(JSON.stringify([{ type: 'FIELD_REMOVED', path: 'Agency.active' }]))).toThrow(
      /0\.reason/,
    );
    expect(() => parseAllowed(JSON.stringify([{ ...MARK, reason: '' }]))).toThrow(/a reason of a few words/);
  });

  it('fails on a deprecation without a reason of its own, and accepts one with a reason', async () => {
    const bare = base.replace('  active: Boolean!\n', '  active: Boolean! @deprecated\n');
    const reasoned = base.replace(
      '  active: Boolean!\n',
      '  active: Boolean! @deprecated(reason: "Use status, which tells dissolved from merged units.")\n',
    );
    const withoutReason = await checkContract(base, bare, []);
    expect(withoutReason.deprecationsWithoutReason).toEqual(['Agency.active']);
    expect(passes(withoutReason)).toBe(false);
    const withReason = await checkContract(base, reasoned, []);
    expect(withReason.deprecationsWithoutReason).toEqual([]);
    expect(passes(withReason)).toBe(true);
  });

  it('fails when an allow-listed operation no longer validates, even if the removal is marked', async () => {
    const operations = JSON.parse(readFileSync(PATHS.operations, 'utf8')).operations;
    const withoutName = base.replace('  """The name of the unit."""\n  name: String!\n', '');
    expect(withoutName).not.toBe(base);
    const mark = { type: 'FIELD_REMOVED', path: 'Agency.name', reason: 'a test of a marked removal' };
    const report = await checkContract(base, withoutName, [mark], operations);
    expect(report.unmarked).toEqual([]);
    // The dashboard's filters and ranking both show agency names.
    expect(report.brokenOperations).toEqual([
      expect.stringMatching(/^DashboardFilters: Cannot query field "name" on type "Agency"/),
      expect.stringMatching(/^DashboardRanking: Cannot query field "name" on type "Agency"/),
    ]);
    expect(passes(report)).toBe(false);
  });

  it('passes for the committed schema against the released one with the committed marks', async () => {
    const report = await checkContract(
      readFileSync(PATHS.released, 'utf8'),
      readFileSync(PATHS.current, 'utf8'),
      parseAllowed(readFileSync(PATHS.allowed, 'utf8')),
      JSON.parse(readFileSync(PATHS.operations, 'utf8')).operations,
    );
    expect(report.unmarked).toEqual([]);
    expect(report.deprecationsWithoutReason).toEqual([]);
    expect(report.brokenOperations).toEqual([]);
  });
});
