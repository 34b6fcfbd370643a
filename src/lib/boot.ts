// Starts an entry point: configuration is checked before anything else is loaded, and a
// failure to start is one clear line on stderr and a non-zero exit, never a stack trace.
import { parseConfig } from '../config/env.js';
import { AppError } from './errors.js';

export async function boot(name: string, start: () => Promise<void>): Promise<void> {
  try {
    parseConfig(process.env);
    await start();
  } catch (err) {
    const message =
      err instanceof AppError ? `${err.code}: ${err.message}` : `${(err as Error)?.message ?? String(err)}`;
    process.stderr.write(`bisma ${name} failed to start: ${message}\n`);
    process.exit(1);
  }
}

/** A listen error as the operator should read it: which setting names the port that is taken. */
export function portInUse(err: NodeJS.ErrnoException, variable: string, host: string, port?: number): Error {
  if (err.code !== 'EADDRINUSE') return err;
  return new AppError(
    'PORT_IN_USE',
    `port ${port ?? '?'} on ${host} is already in use: stop what listens there or set ${variable} to another port`,
  );
}

/** Hides the password of a connection URL for messages. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable URL>';
  }
}
