// Runs a query whenever its variables change; a newer request aborts the older one, so a quick
// change of year never shows the previous year's answer.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { request } from './api.js';

export type QueryState<T> =
  | { status: 'loading'; data: T | null }
  | { status: 'error'; error: Error; data: T | null }
  | { status: 'done'; data: T };

export function useQuery<T>(
  query: string,
  variables: Record<string, unknown>,
  skip = false,
): QueryState<T> & { retry: () => void } {
  const [state, setState] = useState<QueryState<T>>({ status: 'loading', data: null });
  const [attempt, setAttempt] = useState(0);
  const key = JSON.stringify(variables);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a change of `attempt` (retry) re-runs the request
  useEffect(() => {
    if (skip) return undefined;
    const controller = new AbortController();
    setState((s) => ({ status: 'loading', data: s.data }));
    request<T>(query, JSON.parse(key), controller.signal).then(
      (data) => setState({ status: 'done', data }),
      (error: Error) => {
        if (!controller.signal.aborted) setState((s) => ({ status: 'error', error, data: s.data }));
      },
    );
    return () => controller.abort();
  }, [query, key, attempt, skip]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, retry };
}
