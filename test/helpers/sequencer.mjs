// Orders test files longest first, as Jest does when its cache holds last run's durations. On a
// fresh checkout (CI) Jest has none and orders by file size: short files such as bench-smoke, which
// runs for minutes, then start last and one worker finishes them alone while the other idles.
// Durations measured on a full run (2 workers, seconds) stand in until Jest has its own.
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import Sequencer from '@jest/test-sequencer';

const MEASURED_S = {
  'test/integration/bench-smoke.test.ts': 158,
  'test/integration/kpi-versions-property.test.ts': 107,
  'test/integration/processes.test.ts': 93,
  'test/integration/real-dumps-file.test.ts': 92,
  'test/integration/cli.test.ts': 70,
  'test/integration/ingest-crash.test.ts': 60,
  'test/integration/kpi-property.test.ts': 57,
  'test/integration/fault-postgres.test.ts': 46,
  'test/integration/ops-logs.test.ts': 39,
  'test/integration/ingest-file.test.ts': 37,
  'test/integration/fault-redis.test.ts': 35,
  'test/integration/ingest-worker.test.ts': 35,
  'test/integration/ingest-property.test.ts': 34,
  'test/integration/ops-queue-board.test.ts': 33,
  'test/integration/ingest-all-or-nothing.test.ts': 30,
  'test/integration/api-auth.test.ts': 30,
  'test/integration/api-explorer.test.ts': 29,
  'test/integration/feed-transports.test.ts': 28,
  'test/integration/kpi-demo.test.ts': 25,
  'test/integration/api-hostile.test.ts': 24,
  'test/browser/dashboard.test.ts': 20,
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
