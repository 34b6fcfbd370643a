// The migrated template database that every test file's database is cloned from.
export const TEMPLATE_DB = 'bisma_test_template';
export const TEST_DB_PREFIX = 'bisma_test_';

export function adminUrl(database = 'postgres'): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}
