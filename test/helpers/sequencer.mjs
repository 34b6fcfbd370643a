// Orders test files longest first, as Jest does when its cache holds last run's durations. On a
// fresh checkout (CI) Jest has none and orders by file size: short files such as bench-smoke, which
// runs for minutes, then start last and one worker finishes them alone while the other idles.
// Durations measured on a full run (3 workers, seconds) stand in until Jest has its own.
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import Sequencer from '@jest/test-sequencer';

const MEASURED_S = {
  'test/integration/bench-smoke.test.ts': 63,
  'test/integration/processes.test.ts': 55,
  'test/integration/real-dumps-file.test.ts': 55,
  'test/integration/ingest-crash.test.ts': 45,
  'test/integration/cli.test.ts': 52,
  'test/integration/kpi-versions-property.test.ts': 43,
  'test/browser/dashboard.test.ts': 30,
  'test/integration/fault-redis.test.ts': 25,
  'test/integration/kpi-property.test.ts': 24,
  'test/integration/ingest-worker.test.ts': 20,
  'test/integration/ingest-file.test.ts': 19,
  'test/integration/kpi-demo.test.ts': 18,
  'test/integration/migrate.test.ts': 18,
  'test/integration/fault-postgres.test.ts': 17,
  'test/integration/clients.test.ts': 16,
  'test/integration/ingest-all-or-nothing.test.ts': 16,
  'test/integration/api-auth.test.ts': 15,
  'test/integration/api-hostile.test.ts': 14,
  'test/integration/ingest-schedule.test.ts': 14,
  'test/integration/ops-logs.test.ts': 12,
  'test/integration/api-fuzz.test.ts': 12,
};

const BaseSequencer = Sequencer.default ?? Sequencer;

export default class LongestFirst extends BaseSequencer {
  time(test) {
    const cached = super.time(test);
    if (cached != null) return cached;
    const measured = MEASURED_S[relative(test.context.config.rootDir, test.path)];
    // Jest keeps milliseconds; a file never measured counts a millisecond per 100 bytes, so the
    // others keep Jest's largest-first order after the measured ones.
    return measured != null ? measured * 1000 : statSync(test.path).size / 100;
  }
}
