// The process logger: JSON lines, pretty only in development. Every line written during an HTTP
// request or a queue job carries its request id / job id (lib/request-context), wherever in the
// code it is written; credentials never reach the output (redacted paths, scrubbed strings).
import { pino } from 'pino';
import { config } from '../config/env.js';
import { currentWork } from './request-context.js';

const CENSOR = '[redacted]';

/** Fields that hold credentials wherever they appear (top level or one level down). */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'token',
  'apiKey',
  'password',
  'secret',
  'DATABASE_URL',
  'FEED_TOKEN',
  'METRICS_TOKEN',
  'BOOTSTRAP_ADMIN_KEY',
];

export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]+@/gi;
const BEARER_OR_BASIC = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** Hides credentials inside free text: URL passwords and Authorization header values. */
export function scrubSecrets(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@').replace(BEARER_OR_BASIC, `$1 ${CENSOR}`);
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 3 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, depth + 1)]));
}

function build() {
  const cfg = config();
  // pino-pretty is a development dependency: never loaded outside development.
  const pretty = cfg.NODE_ENV === 'development' && (cfg.LOG_PRETTY ?? process.stdout.isTTY);
  return pino({
    level: cfg.LOG_LEVEL,
    base: { service: 'bisma', pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    mixin: () => ({ ...currentWork() }),
    formatters: { log: (object) => scrubValue(object, 0) as Record<string, unknown> },
    // The standard serializer's result has its own prototype: copied into a plain object to scrub it.
    // Many lines log `err: err.message` (a string): only real errors go through the serializer.
    serializers: {
      err: (err: unknown) =>
        err instanceof Error ? scrubValue({ ...pino.stdSerializers.err(err) }, 0) : scrubValue(err, 0),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>,
        );
      },
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

export const logger = build();
