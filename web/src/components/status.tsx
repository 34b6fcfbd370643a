// Loading and failure notices, announced to screen readers as they appear.
import type { Translate } from './types.js';

export function Loading({ t }: { t: Translate }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {t('loading')}
    </p>
  );
}

export function Failure({ error, retry, t }: { error: Error; retry: () => void; t: Translate }) {
  return (
    <div class="notice notice-error" role="alert">
      <p>
        {t('loadFailed')}: {error.message}
      </p>
      <button type="button" onClick={retry}>
        {t('retry')}
      </button>
    </div>
  );
}
