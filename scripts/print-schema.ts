// Writes the printed GraphQL schema (types sorted) to schema.graphql and Apollo's possibleTypes
// map to clients/possible-types.json, or with --check exits 1 when either committed file differs
// from what the code builds.
import { readFile, writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.js';
import { printPossibleTypes } from '../src/schema/possible-types.js';

export const SCHEMA_FILE = new URL('../schema.graphql', import.meta.url);
export const POSSIBLE_TYPES_FILE = new URL('../clients/possible-types.json', import.meta.url);

const files = [
  { url: SCHEMA_FILE, text: `${printSchema(schema).trimEnd()}\n` },
  { url: POSSIBLE_TYPES_FILE, text: printPossibleTypes(schema) },
];
if (process.argv.includes('--check')) {
  for (const { url, text } of files) {
    const committed = await readFile(url, 'utf8').catch(() => '');
    if (committed !== text) {
      process.stderr.write(`${url.pathname} is out of date: run npm run schema:print\n`);
      process.exit(1);
    }
  }
} else {
  for (const { url, text } of files) await writeFile(url, text);
  process.stdout.write(
    `wrote schema.graphql (${files[0]!.text.split('\n').length} lines) and clients/possible-types.json\n`,
  );
}
process.exit(0);
