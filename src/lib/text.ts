// Text helpers shared by services.

/** Lower-case, accent-free, single-spaced: the form exhibitor names are searched in. */
export function searchForm(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Escapes LIKE wildcards (and the escape character): a search for "50%" means the text "50%".
 * Prisma passes `contains` and case-insensitive `equals` to PostgreSQL as (I)LIKE patterns unescaped.
 */
export function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
