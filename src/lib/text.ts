// Text helpers shared by services.

/** Lower-case, accent-free, single-spaced: the form exhibitor names are searched in. */
export function searchForm(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Escapes LIKE's wildcards, so a searched `%` or `_` matches itself (Prisma's `contains` does not). */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
