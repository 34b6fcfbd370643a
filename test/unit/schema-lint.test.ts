// graphql-eslint over the committed schema.graphql with the published clients/eslint.config.mjs:
// Relay's connection, edge, page-info and argument rules and strict-id-in-types (connections,
// edges, payloads and errors excepted) report nothing: a new type without an id fails here.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from '@jest/globals';

const ROOT = path.resolve(import.meta.dirname, '../..');

it('reports nothing on schema.graphql: no Relay rule breach and no object type a client caches without an id', async () => {
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/eslint'),
    ['-c', 'clients/eslint.config.mjs', 'schema.graphql', '-f', 'json'],
    { cwd: ROOT, timeout: 120_000 },
  ).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  const [file] = JSON.parse(stdout) as { messages: { ruleId: string; message: string }[] }[];
  expect(file!.messages.map((m) => `${m.ruleId}: ${m.message}`)).toEqual([]);
});
