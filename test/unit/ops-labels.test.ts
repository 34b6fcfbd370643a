// Pure pieces of observability: label values clients choose are capped, credentials are found in
// either header form, and free text loses its secrets.
import { describe, expect, it } from '@jest/globals';
import { presentedKey } from '../../src/api/admin-access.js';
import { scrubSecrets } from '../../src/lib/logger.js';
import { hasMetricsToken, operationLabel } from '../../src/lib/metrics.js';

describe('operation name labels', () => {
  it('names an anonymous operation "anonymous" and reports new names past the cap as "other"', () => {
    expect(operationLabel(undefined)).toBe('anonymous');
    expect(operationLabel('')).toBe('anonymous');
    for (let i = 0; i < 500; i++) expect(operationLabel(`Op${i}`)).toBe(`Op${i}`);
    expect(operationLabel('OneTooMany')).toBe('other');
    // Names seen before the cap keep their own series.
    expect(operationLabel('Op7')).toBe('Op7');
  });
});

describe('presented credentials', () => {
  it('reads the key from a bearer header or from the password of Basic auth', () => {
    expect(presentedKey('Bearer abc123')).toBe('abc123');
    expect(presentedKey(`Basic ${Buffer.from('anyone:the-key').toString('base64')}`)).toBe('the-key');
    expect(presentedKey(`Basic ${Buffer.from(':pw:with:colons').toString('base64')}`)).toBe('pw:with:colons');
  });

  it('finds no key in a missing, empty or malformed header', () => {
    expect(presentedKey(undefined)).toBeNull();
    expect(presentedKey('')).toBeNull();
    expect(presentedKey('Bearer')).toBeNull();
    expect(presentedKey('Token abc')).toBeNull();
    expect(presentedKey(`Basic ${Buffer.from('user-only').toString('base64')}`)).toBeNull();
  });

  it('accepts the metrics token only as the exact bearer', () => {
    const token = 'a-metrics-token-0123456789';
    expect(hasMetricsToken(`Bearer ${token}`, token)).toBe(true);
    expect(hasMetricsToken(`Bearer ${token}x`, token)).toBe(false);
    expect(hasMetricsToken(token, token)).toBe(false);
    expect(hasMetricsToken(`Bearer ${token}`, undefined)).toBe(false);
  });
});

describe('scrubbing free text', () => {
  it('hides URL passwords and Authorization values, keeping the rest readable', () => {
    expect(scrubSecrets('postgresql://bisma:s3cret@db:5432/bisma')).toBe(
      'postgresql://bisma:***@db:5432/bisma',
    );
    expect(scrubSecrets('redis://:pw@redis:6379 and rediss://u:p@r')).toBe(
      'redis://:***@redis:6379 and rediss://u:***@r',
    );
    expect(scrubSecrets('sent Bearer abc.def-123 then Basic dXNlcjpwdw==')).toBe(
      'sent Bearer [redacted] then Basic [redacted]',
    );
    expect(scrubSecrets('postgresql://bisma@db/bisma has no password')).toBe(
      'postgresql://bisma@db/bisma has no password',
    );
  });
});
