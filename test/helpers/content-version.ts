// Waits for this process's content-version listener to hold the version PostgreSQL holds now:
// for a write made outside the API (a test's factory, the CLI, a job, psql) the cache's contract
// is "a miss once the notification has arrived", so a test waits for it before asserting one.
import { contentVersions, readContentVersion } from '../../src/services/content-version.js';

export async function contentVersionNotified(timeoutMs = 5_000): Promise<string> {
  const target = BigInt(await readContentVersion());
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (contentVersions.listening && BigInt(await contentVersions.version()) >= target)
      return target.toString();
    if (Date.now() > deadline) {
      throw new Error(`the listener did not reach content version ${target} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
