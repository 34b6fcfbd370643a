// Warm-up: while a fresh installation's demo history replays (the worker's first job), the KPI
// figures are partial. Every GraphQL answer then carries `extensions.warmingUp: true`, and /readyz
// says so, so neither a person nor a script mistakes them for the final figures.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { Redis } from 'ioredis';
import { DEMO_JOB_ID } from '../jobs/enqueue.js';
import { Producer } from '../jobs/producer.js';

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
/** Answers within this time share one look at the queue. */
const RECHECK_MS = 1_000;

export interface WarmUp {
  /** Whether the demo history is queued or replaying now (false when Redis cannot say). */
  active(): Promise<boolean>;
  close(): Promise<void>;
}

export function warmUpState(connection: Redis): WarmUp {
  const producer = new Producer(connection);
  let checked = 0;
  let current: Promise<boolean> = Promise.resolve(false);
  return {
    active() {
      if (Date.now() - checked >= RECHECK_MS) {
        checked = Date.now();
        current = producer
          .queue('ingest')
          .getJobState(DEMO_JOB_ID)
          .then(
            (state) => LIVE.has(state),
            () => false,
          );
      }
      return current;
    },
    close: () => producer.close(),
  };
}

/** Marks answers given during warm-up. */
export function warmUpPlugin<C extends object>(warmUp: WarmUp): ApolloServerPlugin<C> {
  // Keeps no state per request: one listener serves them all.
  const listener: GraphQLRequestListener<C> = {
    async willSendResponse({ response }) {
      if (response.body.kind !== 'single' || !(await warmUp.active())) return;
      const result = response.body.singleResult;
      result.extensions = { ...result.extensions, warmingUp: true };
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
