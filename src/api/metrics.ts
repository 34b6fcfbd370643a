// /metrics for Prometheus, HTTP and GraphQL timings, and the gauges of shared state that the API
// reads at scrape time: queue depths and schedulers (Redis), the KPI data version and the age of
// the newest snapshots (PostgreSQL). Workers report only their own counters (lib/metrics), so
// these gauges exist once however many workers run.
import type { ApolloServerPlugin } from '@apollo/server';
import type { JobType } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Kind } from 'graphql';
import { Gauge } from 'prom-client';
import { config } from '../config/env.js';
import { sharedProducer } from '../jobs/producer.js';
import { QUEUES, type QueueName } from '../jobs/queues.js';
import { pool } from '../lib/db.js';
import { logger } from '../lib/logger.js';
import {
  graphqlDuration,
  graphqlErrors,
  hasMetricsToken,
  httpDuration,
  operationLabel,
  registry,
} from '../lib/metrics.js';
import type { Context } from '../schema/context.js';
import { publishedVersionFromDatabase } from '../services/kpi/notify.js';
import { adminAccess } from './admin-access.js';

const JOB_STATES: JobType[] = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
];

/** A failed read leaves its series out of the scrape rather than failing the whole scrape. */
async function readOrSkip(what: string, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (err) {
    logger.warn({ err: (err as Error).message }, `metrics: cannot read ${what}`);
  }
}

new Gauge({
  name: 'bisma_queue_jobs',
  help: 'Jobs in each queue by state (read from Redis at scrape time).',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    await readOrSkip('queue depths', async () => {
      for (const name of Object.keys(QUEUES) as QueueName[]) {
        const counts = await sharedProducer()
          .queue(name)
          .getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    });
  },
});

new Gauge({
  name: 'bisma_queue_job_schedulers',
  help: 'Job schedulers registered on each queue (read from Redis at scrape time).',
  labelNames: ['queue'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    await readOrSkip('job schedulers', async () => {
      for (const name of Object.keys(QUEUES) as QueueName[]) {
        this.set({ queue: name }, await sharedProducer().queue(name).getJobSchedulersCount());
      }
    });
  },
});

new Gauge({
  name: 'bisma_data_version',
  help: 'The latest published KPI data version (kpi_version id; 0 before the first recompute).',
  registers: [registry],
  async collect() {
    this.reset();
    await readOrSkip('the data version', async () => this.set(await publishedVersionFromDatabase()));
  },
});

new Gauge({
  name: 'bisma_kpi_versions_held',
  help: 'KPI versions held by a drift rule, waiting for an admin to approve or reject them.',
  registers: [registry],
  async collect() {
    this.reset();
    await readOrSkip('held versions', async () => {
      const { rows } = await pool.query<{ held: number }>(
        `SELECT count(*)::int AS held FROM kpi_version WHERE status = 'HELD'`,
      );
      this.set(rows[0]?.held ?? 0);
    });
  },
});

new Gauge({
  name: 'bisma_snapshot_age_seconds',
  help: "Seconds since each feed source's last complete snapshot finished.",
  labelNames: ['source'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    await readOrSkip('snapshot ages', async () => {
      const { rows } = await pool.query<{ key: string; age: number }>(
        `SELECT key, extract(epoch FROM now() - last_success_at)::float8 AS age
         FROM feed_source WHERE last_success_at IS NOT NULL`,
      );
      for (const row of rows) this.set({ source: row.key }, row.age);
    });
  },
});

new Gauge({
  name: 'bisma_newest_snapshot_age_seconds',
  help: 'Seconds since the newest complete snapshot (any source or file import) finished.',
  registers: [registry],
  async collect() {
    this.reset();
    await readOrSkip('the newest snapshot', async () => {
      const { rows } = await pool.query<{ age: number | null }>(
        `SELECT extract(epoch FROM now() - max(finished_at))::float8 AS age
         FROM ingest_run WHERE status = 'SUCCEEDED'`,
      );
      const age = rows[0]?.age;
      if (age !== null && age !== undefined) this.set(age);
    });
  },
});

/**
 * GET /metrics (the METRICS_TOKEN as a bearer, or an admin API key) and the HTTP timings of every
 * route. Route patterns, not raw URLs, are the label, so the series stay few.
 */
export function registerMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get('/metrics', async (request, reply) => {
    const header = request.headers.authorization;
    if (!hasMetricsToken(header, config().METRICS_TOKEN)) {
      const access = await adminAccess(header);
      if (access !== 'admin') {
        return reply
          .code(access === 'forbidden' ? 403 : 401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ error: 'scraping needs the METRICS_TOKEN or an admin API key as a bearer token' });
      }
    }
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
}

/** Times every GraphQL operation and counts the errors its response carries, by code. */
export function graphqlMetricsPlugin(): ApolloServerPlugin<Context> {
  return {
    async contextCreationDidFail({ error }) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      graphqlErrors.inc({
        operation_name: 'unknown',
        code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR',
      });
    },
    async requestDidStart({ request }) {
      const started = performance.now();
      let operationType = 'unknown';
      return {
        async didResolveOperation({ operation }) {
          operationType = operation?.operation ?? 'unknown';
        },
        async willSendResponse({ response, operationName, document }) {
          // Before the operation resolves (e.g. a validation error), its name is read from the document.
          const named = document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)?.name?.value;
          const name = operationLabel(operationName ?? request.operationName ?? named);
          graphqlDuration.observe(
            { operation_name: name, operation_type: operationType },
            (performance.now() - started) / 1000,
          );
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          for (const error of errors) {
            const code = error.extensions?.code;
            graphqlErrors.inc({ operation_name: name, code: typeof code === 'string' ? code : 'UNKNOWN' });
          }
        },
      };
    },
  };
}
