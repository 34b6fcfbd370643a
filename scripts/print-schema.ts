// Writes the printed GraphQL schema (types sorted) to schema.graphql, or with --check exits 1
// when the committed file differs from what the code builds.
import { readFile, writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.js';

export const SCHEMA_FILE = new URL('../schema.graphql', import.meta.url);

const printed = `${printSchema(schema).trimEnd()}\n`;
if (process.argv.includes('--check')) {
  const committed = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
  if (committed !== printed) {
    process.stderr.write('schema.graphql is out of date: run npm run schema:print\n');
    process.exit(1);
  }
} else {
  await writeFile(SCHEMA_FILE, printed);
  process.stdout.write(`wrote schema.graphql (${printed.split('\n').length} lines)\n`);
}
process.exit(0);
