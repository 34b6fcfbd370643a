// Names of this run's test databases (see global-setup.mjs).

export function runTag(): string {
  const tag = process.env.BISMA_TEST_RUN;
  if (!tag) throw new Error('BISMA_TEST_RUN is not set: run the tests through `npm test`');
  return tag;
}

export function templateDb(): string {
  return `bisma_test_${runTag()}_tpl`;
}

export function adminUrl(database = 'postgres'): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}
