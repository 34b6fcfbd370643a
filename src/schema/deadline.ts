// The execution deadline of one query or mutation, the same over HTTP and graphql-ws: the transport
// starts it when execution starts (Context.deadline) and ends it when execution ends; the deadline
// plugin (plugins/deadline.ts) checks it on every field. Past it, a field that has not started
// fails with QUERY_TIMEOUT instead of running, and a field still waiting (a database read, a
// loader) is answered with QUERY_TIMEOUT at the deadline, so the answer leaves on time.
import { AppError } from '../lib/errors.js';

export class Deadline {
  private readonly at: number;
  private readonly timer: NodeJS.Timeout;
  private readonly reached: Promise<never>;
  private stopped: AppError | undefined;

  constructor(readonly timeoutMs: number) {
    this.at = Date.now() + timeoutMs;
    let fire!: () => void;
    this.reached = new Promise<never>((_resolve, reject) => {
      fire = () => reject(this.error);
    });
    // Nothing may be waiting on it when it fires.
    this.reached.catch(() => undefined);
    this.timer = setTimeout(fire, timeoutMs);
    this.timer.unref();
  }

  /**
   * The one error every stopped field fails with (the transports report it once). Made on first
   * use: most requests end before their deadline, and an Error captures a stack when it is made.
   */
  get error(): AppError {
    this.stopped ??= new AppError(
      'QUERY_TIMEOUT',
      `the query ran longer than ${this.timeoutMs} ms and was stopped`,
      { timeoutMs: this.timeoutMs },
    );
    return this.stopped;
  }

  get expired(): boolean {
    return Date.now() >= this.at;
  }

  /** `work`, or QUERY_TIMEOUT at the deadline if `work` has not settled by then. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.reached]);
  }

  /** Execution ended: the timer goes (a deadline that ended never fires). */
  end(): void {
    clearTimeout(this.timer);
  }
}

/** A field error as the transports format it: enough to tell a deadline's from the others. */
interface FormattedError {
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * Every field stopped by the deadline fails with the same QUERY_TIMEOUT: the answer reports the
 * first one, with `stoppedFields` counting them all, instead of one error per stopped field.
 */
export function collapseTimeouts<E extends FormattedError>(errors: readonly E[]): E[] {
  const timeouts = errors.filter(
    (e) => e.extensions?.code === 'QUERY_TIMEOUT' && 'timeoutMs' in e.extensions,
  );
  if (timeouts.length < 2) return [...errors];
  const [first] = timeouts;
  return errors.flatMap((e) => {
    if (e === first) return [{ ...e, extensions: { ...e.extensions, stoppedFields: timeouts.length } }];
    return timeouts.includes(e) ? [] : [e];
  });
}
