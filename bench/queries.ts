// The dashboard query set every server under test answers: the same documents, the same fields.
export const YEAR = 2023;

export interface DashboardQuery {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Whether PostGraphile (tables only, no aggregates) can express it. */
  postgraphile: boolean;
}

export const DASHBOARD: DashboardQuery[] = [
  {
    name: 'kpiSummary',
    query: `query Summary($year: Int!) {
  kpiSummary(year: $year) { dataVersion realisation totalValue umkValue itemCount pdnShare umkShare }
}`,
    variables: { year: YEAR },
    postgraphile: false,
  },
  {
    name: 'kpiSeries',
    query: `query Series($year: Int!) {
  kpiSeries(year: $year) { dataVersion points { month realisation totalValue itemCount } }
}`,
    variables: { year: YEAR },
    postgraphile: false,
  },
  {
    name: 'agencyRanking',
    query: `query Ranking($year: Int!) {
  agencyRanking(year: $year, first: 20) {
    totalCount
    edges { node { rank realisation itemCount agency { code name } } }
  }
}`,
    variables: { year: YEAR },
    postgraphile: false,
  },
  {
    name: 'eventsPage',
    query: `query Events {
  events(first: 20) {
    edges { node { title venue startDate participations { booth exhibitor { name city } } } }
  }
}`,
    variables: {},
    postgraphile: true,
  },
];

/**
 * The events page as PostGraphile's generated schema names it (same tables, same fields). Its condition
 * argument cannot say "status PUBLISHED or DONE", so it lists all events (every bench event is public).
 */
export const POSTGRAPHILE_EVENTS = `query Events {
  allEvents(first: 20, orderBy: [START_DATE_ASC, ROW_ID_ASC]) {
    edges { node { title venue startDate participationsByEventId { nodes { booth exhibitorByExhibitorId { name city } } } } }
  }
}`;
