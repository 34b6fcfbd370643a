// Bisma behind a reverse proxy under a path (BASE_PATH, e.g. /bisma): the proxy may forward the
// path with its prefix or without it; both reach the same routes.

/** The request URL without the BASE_PATH prefix (unchanged when it does not start with it). */
export function withoutBasePath(url: string, basePath: string): string {
  if (!basePath || !url.startsWith(basePath)) return url;
  const rest = url.slice(basePath.length);
  if (rest === '' || rest.startsWith('?')) return `/${rest}`;
  return rest.startsWith('/') ? rest : url;
}
