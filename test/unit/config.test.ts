// Configuration: defaults that work locally, and one message naming every bad variable.
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/env.js';

describe('parseConfig', () => {
  it('gives defaults that point at the local PostgreSQL and Redis', () => {
    const cfg = parseConfig({});
    expect(cfg.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/bisma');
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.PORT).toBe(4000);
    expect(cfg.INGEST_TZ).toBe('Asia/Jakarta');
  });

  it('names every bad variable in one error', () => {
    expect(() => parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        problems: expect.arrayContaining([
          expect.stringMatching(/^PORT:/),
          expect.stringMatching(/^DATABASE_URL:/),
          expect.stringMatching(/^LOG_LEVEL:/),
        ]),
      }),
    );
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ PORT: '' }).PORT).toBe(4000);
  });
});
