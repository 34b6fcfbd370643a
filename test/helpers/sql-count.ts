// Records the text of every SQL statement this process sends (every connection goes through
// pg's Client#query), so a test can count the statements one request costs.
import pg from 'pg';

const originalQuery = pg.Client.prototype.query;

/** Starts recording into `statements`; returns the function that stops it. */
export function recordStatements(statements: string[]): () => void {
  pg.Client.prototype.query = function countingQuery(this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    statements.push(typeof first === 'string' ? first : String((first as { text?: string })?.text ?? ''));
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof originalQuery;
  return () => {
    pg.Client.prototype.query = originalQuery;
  };
}
