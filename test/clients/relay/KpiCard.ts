// Fragments a Relay app would write against Bisma, compiled by relay-compiler in the client tests:
// a refetchable KPI card (refetched through node(id:) with another locale) and a paginated list.
declare function graphql(strings: TemplateStringsArray): unknown;

export const kpiCard = graphql`
  fragment KpiCard_summary on KpiSummary
  @refetchable(queryName: "KpiCardRefetchQuery")
  @argumentDefinitions(locale: { type: "KpiLocale", defaultValue: ID }) {
    id
    year
    realisation
    asOf
    formatted(locale: $locale) {
      realisation
    }
  }
`;

export const exhibitorList = graphql`
  fragment ExhibitorList_query on Query
  @refetchable(queryName: "ExhibitorListPaginationQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 2 }, after: { type: "String" }) {
    exhibitors(first: $first, after: $after) @connection(key: "ExhibitorList_exhibitors") {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;

export const dashboard = graphql`
  query KpiCardQuery($year: Int!) {
    kpiSummary(year: $year) {
      ...KpiCard_summary
    }
    ...ExhibitorList_query
  }
`;
