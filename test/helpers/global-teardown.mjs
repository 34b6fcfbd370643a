// Once per run: drop this run's databases, template included.
import { dropTestDatabases } from './global-setup.mjs';

export default async function globalTeardown() {
  await dropTestDatabases({ runTag: process.env.BISMA_TEST_RUN });
}
