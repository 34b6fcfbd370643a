// The schema contract (`npm run schema:check`, run by .ci/run): schema.graphql against the last
// released schema (schema/released.graphql). A breaking change fails unless it is marked in
// schema/breaking-changes-allowed.json with a reason; every deprecation must give its reason;
// the registered operations (schema/operations.json, the allow-list) must still validate.
// `--release` makes the current schema the released one and clears the marks (on a release).
// How to use it: docs/operations-cli.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import {
  buildSchema,
  DEFAULT_DEPRECATION_REASON,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  validate,
} from 'graphql';
import { z } from 'zod';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export const PATHS = {
  current: root('schema.graphql'),
  released: root('schema/released.graphql'),
  allowed: root('schema/breaking-changes-allowed.json'),
  operations: root('schema/operations.json'),
};

const allowedSchema = z.array(
  z.object({
    /** The change's type as GraphQL Inspector names it, e.g. FIELD_REMOVED. */
    type: z.string().min(1),
    /** The schema coordinate it concerns, e.g. Agency.legacyCode. */
    path: z.string().min(1),
    reason: z.string().trim().min(10, 'a reason of a few words is required'),
  }),
);

export type AllowedChange = z.infer<typeof allowedSchema>[number];

export interface ContractReport {
  /** Breaking changes not marked as allowed: the check fails on any. */
  unmarked: Change[];
  /** Breaking changes marked as allowed, with the mark's reason. */
  allowed: { change: Change; reason: string }[];
  dangerous: Change[];
  /** Schema coordinates deprecated without a reason of their own. */
  deprecationsWithoutReason: string[];
  /** Marks that match no change (left over from an earlier release). */
  unusedMarks: AllowedChange[];
  /** Registered operations (the allow-list) that the current schema no longer runs. */
  brokenOperations: string[];
}

/** Every deprecated field, argument, input field and enum value whose reason is missing or the default. */
export function deprecationsWithoutReason(schema: GraphQLSchema): string[] {
  const found: string[] = [];
  const check = (coordinate: string, item: { deprecationReason?: string | null | undefined }) => {
    const reason = item.deprecationReason;
    if (reason === undefined || reason === null) return;
    if (reason.trim() === '' || reason === DEFAULT_DEPRECATION_REASON) found.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value);
    }
  }
  return found;
}

export function parseAllowed(text: string): AllowedChange[] {
  const parsed = allowedSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`breaking-changes-allowed.json: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** The registered operations (schema/operations.json) that do not validate against the schema. */
export function brokenOperations(
  schema: GraphQLSchema,
  operations: { name: string; body: string }[],
): string[] {
  return operations.flatMap((op) =>
    validate(schema, parse(op.body)).map((error) => `${op.name}: ${error.message}`),
  );
}

/** Compares two schema texts under the given marks; checks the registered operations too. */
export async function checkContract(
  releasedSdl: string,
  currentSdl: string,
  allowed: AllowedChange[],
  operations: { name: string; body: string }[] = [],
): Promise<ContractReport> {
  const current = buildSchema(currentSdl);
  const changes = await diff(buildSchema(releasedSdl), current);
  const report: ContractReport = {
    unmarked: [],
    allowed: [],
    dangerous: [],
    deprecationsWithoutReason: deprecationsWithoutReason(current),
    unusedMarks: [],
    brokenOperations: brokenOperations(current, operations),
  };
  const used = new Set<AllowedChange>();
  for (const change of changes) {
    if (change.criticality.level === CriticalityLevel.Dangerous) report.dangerous.push(change);
    if (change.criticality.level !== CriticalityLevel.Breaking) continue;
    const mark = allowed.find((a) => a.type === change.type && a.path === change.path);
    if (mark) {
      used.add(mark);
      report.allowed.push({ change, reason: mark.reason });
    } else {
      report.unmarked.push(change);
    }
  }
  report.unusedMarks = allowed.filter((a) => !used.has(a));
  return report;
}

export function passes(report: ContractReport): boolean {
  return (
    report.unmarked.length === 0 &&
    report.deprecationsWithoutReason.length === 0 &&
    report.brokenOperations.length === 0
  );
}

function format(report: ContractReport): string {
  const lines: string[] = [];
  for (const c of report.unmarked) {
    lines.push(`BREAKING ${c.type} ${c.path ?? ''}: ${c.message}`);
  }
  if (report.unmarked.length) {
    lines.push(
      '',
      `${report.unmarked.length} unmarked breaking change(s) against schema/released.graphql. Keep the old`,
      'field (deprecate it with a reason) or, if clients are told, mark each change in',
      'schema/breaking-changes-allowed.json: {"type": "<TYPE>", "path": "<path>", "reason": "<why, who was told>"}',
    );
  }
  for (const coordinate of report.deprecationsWithoutReason) {
    lines.push(
      `DEPRECATION WITHOUT REASON ${coordinate}: give @deprecated(reason: "...") a reason of its own`,
    );
  }
  for (const problem of report.brokenOperations) {
    lines.push(`REGISTERED OPERATION BROKEN ${problem} (schema/operations.json: the dashboard sends it)`);
  }
  for (const { change, reason } of report.allowed) {
    lines.push(`allowed breaking ${change.type} ${change.path ?? ''}: ${reason}`);
  }
  for (const c of report.dangerous) lines.push(`dangerous ${c.type} ${c.path ?? ''}: ${c.message}`);
  for (const m of report.unusedMarks) {
    lines.push(`note: the mark ${m.type} ${m.path} matches no change (remove it)`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const arg = (name: string, fallback: string) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
  };
  const paths = {
    current: arg('--schema', PATHS.current),
    released: arg('--released', PATHS.released),
    allowed: arg('--allowed', PATHS.allowed),
    operations: arg('--operations', PATHS.operations),
  };
  const currentSdl = readFileSync(paths.current, 'utf8');
  if (argv.includes('--release')) {
    writeFileSync(paths.released, currentSdl);
    writeFileSync(paths.allowed, '[]\n');
    process.stdout.write(`schema contract: ${paths.released} is now the released schema; marks cleared\n`);
    return 0;
  }
  const report = await checkContract(
    readFileSync(paths.released, 'utf8'),
    currentSdl,
    parseAllowed(readFileSync(paths.allowed, 'utf8')),
    (JSON.parse(readFileSync(paths.operations, 'utf8')) as { operations: { name: string; body: string }[] })
      .operations,
  );
  const text = format(report);
  if (!passes(report)) {
    process.stderr.write(`schema contract FAILED\n${text}\n`);
    return 1;
  }
  process.stdout.write(`schema contract ok${text ? `\n${text}` : ''}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`schema contract: ${err.message}\n`);
      process.exit(2);
    },
  );
}
