// The process logger: JSON lines in production, pretty in a terminal during development.
import { pino } from 'pino';
import { config } from '../config/env.js';

function build() {
  const cfg = config();
  const pretty = cfg.LOG_PRETTY ?? (cfg.NODE_ENV === 'development' && process.stdout.isTTY);
  return pino({
    level: cfg.LOG_LEVEL,
    base: { service: 'bisma', pid: process.pid },
    redact: { paths: ['req.headers.authorization', '*.token', '*.apiKey', '*.secret'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

export const logger = build();
