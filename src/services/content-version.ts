// The content version: one counter in PostgreSQL (content_version) that deferred triggers move at
// the commit of every write to the content the response cache keeps (agencies, targets, target
// phases, commitments, events, sessions, exhibitors, products, participations, deals), whichever
// process writes: the API, the CLI, a job, the demo seed, psql. Nothing here bumps it by hand.
import { pool } from '../lib/db.js';

export async function readContentVersion(): Promise<string> {
  const { rows } = await pool.query<{ version: string }>(
    'SELECT version::text AS version FROM content_version',
  );
  return rows[0]?.version ?? '0';
}
