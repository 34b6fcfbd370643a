// What a log line or a queued job needs to know about the work in progress (the HTTP request or
// the queue job), carried through async calls by AsyncLocalStorage instead of by parameters.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface WorkContext {
  /** The HTTP request being served, or the request that queued the job being run. */
  requestId?: string;
  /** The queue job being run. */
  jobId?: string;
  queue?: string;
}

const storage = new AsyncLocalStorage<WorkContext>();

/** The context of the request or job in progress, if any. */
export function currentWork(): WorkContext | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it starts) inside `context`. */
export function runWithWork<T>(context: WorkContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** What a queued job carries of the request that queued it (beside its payload, not in it). */
export function requestOrigin(): { requestId?: string } {
  const requestId = storage.getStore()?.requestId;
  return requestId ? { requestId } : {};
}

/** The originating request id a job's data carries, if any. */
export function originOf(data: unknown): string | undefined {
  const requestId = (data as { requestId?: unknown } | null)?.requestId;
  return typeof requestId === 'string' && requestId.length <= 200 ? requestId : undefined;
}
