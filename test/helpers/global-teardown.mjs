// Once per run: drop the per-file databases (the template stays until the next run).
import { dropTestDatabases } from './global-setup.mjs';

export default async function globalTeardown() {
  await dropTestDatabases({ keepTemplate: true });
}
