// Configuration: defaults that work locally, and one message naming every bad variable.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

  it('refuses an unknown time zone in INGEST_TZ, naming the variable', () => {
    expect(() => parseConfig({ INGEST_TZ: 'Mars/Base' })).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^INGEST_TZ: must be an IANA time zone/)] }),
    );
  });

  it('refuses a pattern that is not cron in INGEST_CRON, naming the variable', () => {
    expect(() => parseConfig({ INGEST_CRON: 'every hour' })).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^INGEST_CRON: must be a cron pattern/)] }),
    );
    expect(parseConfig({ INGEST_CRON: '*/15 6-18 * * 1-5', INGEST_TZ: 'Europe/Berlin' }).INGEST_CRON).toBe(
      '*/15 6-18 * * 1-5',
    );
  });

  it('points FEED_URL at the simulator’s port unless FEED_URL is given', () => {
    expect(parseConfig({}).FEED_URL).toBe('http://127.0.0.1:4010');
    expect(parseConfig({ FEED_SIM_PORT: '4999' }).FEED_URL).toBe('http://127.0.0.1:4999');
    const given = parseConfig({ FEED_SIM_PORT: '4999', FEED_URL: 'https://feed.example.org/api' });
    expect([given.FEED_URL, given.FEED_URL_GIVEN]).toEqual(['https://feed.example.org/api', true]);
  });

  it('has demo data and the simulator in development, and in production only when asked for by name', () => {
    const pick = (env: NodeJS.ProcessEnv) => {
      const cfg = parseConfig(env);
      return { DEMO_SEED: cfg.DEMO_SEED, FEED_SIM: cfg.FEED_SIM };
    };
    expect(pick({})).toEqual({ DEMO_SEED: true, FEED_SIM: true });
    expect(pick({ NODE_ENV: 'production' })).toEqual({ DEMO_SEED: false, FEED_SIM: false });
    expect(pick({ NODE_ENV: 'production', DEMO_SEED: 'true', FEED_SIM: 'yes' })).toEqual({
      DEMO_SEED: true,
      FEED_SIM: true,
    });
  });

  it('reads a secret from the file <NAME>_FILE names, and names the variable when it cannot', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bisma-config-'));
    try {
      const file = path.join(dir, 'feed-token');
      writeFileSync(file, 's3cret-from-a-file\n');
      expect(parseConfig({ FEED_TOKEN_FILE: file }).FEED_TOKEN).toBe('s3cret-from-a-file');
      expect(() => parseConfig({ FEED_TOKEN_FILE: path.join(dir, 'missing') })).toThrow(
        expect.objectContaining({
          problems: [expect.stringMatching(/^FEED_TOKEN_FILE: cannot read .*ENOENT/)],
        }),
      );
      expect(() => parseConfig({ FEED_TOKEN_FILE: file, FEED_TOKEN: 'inline' })).toThrow(
        expect.objectContaining({
          problems: [expect.stringMatching(/^FEED_TOKEN_FILE: give FEED_TOKEN or/)],
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the settings of .env.example as they stand (production, no demo, no simulator)', () => {
    const env = Object.fromEntries(
      readFileSync('.env.example', 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const cfg = parseConfig(env);
    expect(cfg).toMatchObject({
      NODE_ENV: 'production',
      DEMO_SEED: false,
      FEED_SIM: false,
      INGEST_CRON: '0 * * * *',
    });
  });
});
