// The content version: one counter in PostgreSQL (content_version) that deferred triggers move at
// the commit of every write to the content the response cache keeps (agencies, targets, target
// phases, commitments, events, sessions, exhibitors, products, participations, deals), whichever
// process writes: the API, the CLI, a job, the demo seed, psql. Nothing here bumps it by hand.
//
// The same trigger announces the new version with NOTIFY (delivered at commit, in commit order).
// An API process keeps one listening connection and holds the latest version in memory, so a
// cacheable request reads no row. The memory is trusted only while that connection is up and has
// read the row since it started listening; otherwise (starting, down, reconnecting) every request
// reads the row as before. The listener also reads the row every few seconds (a heartbeat), so a
// connection that died silently or a lost notification leaves the memory behind for seconds at
// most. The API's own mutations read the row before they answer, so a client never gets a stale
// hit right after its own write, even before the notification arrives.
import pg from 'pg';
import { config } from '../config/env.js';
import { pool } from '../lib/db.js';
import { logger } from '../lib/logger.js';

/** The channel the trigger notifies (migration 20261207310000_content_version_notify). */
export const CONTENT_VERSION_CHANNEL = 'bisma_content_version';

const READ = 'SELECT version::text AS version FROM content_version';

/** Reads the version through `db` (the pool, or the listener's own connection). */
async function readThrough(db: Pick<pg.Pool, 'query'>): Promise<string> {
  const { rows } = await db.query<{ version: string }>(READ);
  return rows[0]?.version ?? '0';
}

export function readContentVersion(): Promise<string> {
  return readThrough(pool);
}

const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 15_000;
/**
 * The listener also reads the row itself this often, and gives up on a connection that does not
 * answer within HEARTBEAT_TIMEOUT_MS: a connection can die without an error reaching this side
 * (a failed-over host that sends no reset), and a notification could be lost on the way (a pooler
 * that does not keep the session); either way the memory is never behind for longer than this.
 */
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 2_000;

/**
 * The content version held in memory from LISTEN, with the per-request read as its fallback.
 * One per process (`contentVersions`); started by each server that caches and stopped when the
 * last of them closes.
 */
export class ContentVersionListener {
  private users = 0;
  private client: pg.Client | null = null;
  /** Highest version seen (notification, listener's own read or a mutation's read). */
  private latest = -1n;
  private live = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly log = logger.child({ component: 'content-version' });

  /** Whether the memory is trusted now: listening, and the row read since listening began. */
  get listening(): boolean {
    return this.live;
  }

  /** The version as a cache key part: from memory while listening, else read from PostgreSQL. */
  async version(): Promise<string> {
    if (this.live) return this.latest.toString();
    return readContentVersion();
  }

  /**
   * Reads the row and raises the memory to it: a mutation calls this before it answers, so the
   * process serves nothing older than its own write. Nothing to do when no server listens.
   */
  async refresh(): Promise<void> {
    if (this.users === 0) return;
    this.raise(BigInt(await readContentVersion()));
  }

  start(): void {
    this.users += 1;
    if (this.users === 1) void this.connect();
  }

  async stop(): Promise<void> {
    if (this.users === 0) return;
    this.users -= 1;
    if (this.users > 0) return;
    this.live = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private raise(version: bigint): void {
    if (version > this.latest) this.latest = version;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: config().DATABASE_LISTEN_URL ?? config().DATABASE_URL,
      application_name: 'bisma content-version listener',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 5_000,
      query_timeout: HEARTBEAT_TIMEOUT_MS,
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel !== CONTENT_VERSION_CHANNEL || !message.payload) return;
      this.raise(BigInt(message.payload));
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      // LISTEN before the read: a commit after the read is notified, one before it is read.
      await client.query(`LISTEN ${CONTENT_VERSION_CHANNEL}`);
      const version = await readThrough(client);
      if (this.client !== client) return;
      this.raise(BigInt(version));
      this.live = true;
      this.retryMs = FIRST_RETRY_MS;
      this.startHeartbeat(client);
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private startHeartbeat(client: pg.Client): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      readThrough(client).then(
        (version) => {
          if (this.client === client) this.raise(BigInt(version));
        },
        (err: Error) => this.lost(client, err),
      );
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /** The connection is gone or failed: back to per-request reads until a new one listens. */
  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.live = false;
    this.stopHeartbeat();
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.users === 0) return;
    this.log.warn(
      { err: err?.message, retryInMs: this.retryMs },
      'content-version listener lost; reading the version per request until it is back',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.users > 0 && this.client === null) void this.connect();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
  }
}

export const contentVersions = new ContentVersionListener();
