// The GraphQL-over-HTTP audits of the `graphql-http` package, one test per audit: every MUST
// passes; a SHOULD or MAY passes too unless it is listed below with the reason we depart from it
// (docs/security.md), and a listed one must still fail, so the list stays true. Run with the
// response cache off and on (api-http-audit*.test.ts): a cache hit must answer as Apollo would.
import { describe, expect, it } from '@jest/globals';
import { serverAudits } from 'graphql-http';

const STATUS_400 =
  'Apollo Server answers request errors (parse, validation, variable coercion) with 400 under ' +
  'application/json too, so caches, proxies and the response cache never mistake them for answers';
const CSRF_GET =
  'Apollo’s CSRF prevention refuses a GET without a preflight-forcing header (e.g. apollo-require-preflight)';

/** Recommendations (SHOULD/MAY) the API does not follow, by audit id, and why. */
const DEPARTURES: Record<string, string> = {
  '572B': STATUS_400,
  FDE2: STATUS_400,
  '7B9B': STATUS_400,
  '5A70': CSRF_GET,
  D6D5: CSRF_GET,
  '6A70': CSRF_GET,
};

export function describeHttpAudits(title: string, url: () => string): void {
  const audits = serverAudits({ url });
  describe(title, () => {
    it.each(audits.filter((a) => a.name.startsWith('MUST')).map((a) => [a.id, a.name, a] as const))(
      '%s: %s',
      async (_id, _name, audit) => {
        const result = await audit.fn();
        expect({ status: result.status, reason: result.status === 'ok' ? undefined : result.reason }).toEqual(
          {
            status: 'ok',
            reason: undefined,
          },
        );
      },
    );

    it.each(audits.filter((a) => !a.name.startsWith('MUST')).map((a) => [a.id, a.name, a] as const))(
      '%s: %s',
      async (id, _name, audit) => {
        const result = await audit.fn();
        if (DEPARTURES[id]) expect(result.status).not.toBe('ok');
        else expect(result.status === 'ok' ? 'ok' : result.reason).toBe('ok');
      },
    );
  });
}
