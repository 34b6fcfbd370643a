// The dashboard's GraphQL operations, each with variables, and the shapes of their answers.
// Money is the API's exact decimal text; percentages are numbers with at most four decimals.

import type { KpiMetric, KpiStatus } from '../../src/common/kpi.js';

export type Money = string;

export const FILTERS_QUERY = /* GraphQL */ `
  query DashboardFilters {
    fiscalTargets {
      fiscalYear
    }
    agencies(first: 100, filter: { active: true }, orderBy: { field: NAME }) {
      edges {
        node {
          code
          name
          kind
        }
      }
    }
  }
`;

export interface FiltersData {
  fiscalTargets: { fiscalYear: number }[];
  agencies: { edges: { node: { code: string; name: string; kind: string } }[] };
}

export const OVERVIEW_QUERY = /* GraphQL */ `
  query DashboardOverview($year: Int!, $agency: String, $locale: KpiLocale!) {
    kpiSummary(year: $year, agency: $agency) {
      year
      asOf
      figuresDate
      dataVersion
      realisation
      totalValue
      commitmentUsed
      commitmentBasis
      attainment
      status
      pdnShare
      pdnShareTarget
      pdnShareGap
      pdnShareStatus
      umkShare
      umkShareTarget
      umkShareGap
      umkShareStatus
      itemCount
      formatted(locale: $locale) {
        realisation
        commitmentUsed
        attainment
        pdnShare
        umkShare
        totalValue
        umkValue
      }
      projection {
        method
        yearEndRealisation
        yearEndAttainment
      }
      provenance {
        fetchedAt
        recomputedAt
      }
    }
    kpiSeries(year: $year, agency: $agency, cumulative: true) {
      points {
        month
        realisation
        targetToDate
      }
    }
    kpiBreakdown(year: $year, agency: $agency, by: CHANNEL) {
      rows {
        key
        label(locale: $locale)
        realisation
        totalValue
        itemCount
        pdnShare
        shareOfRealisation
      }
    }
  }
`;

export interface KpiSummaryData {
  year: number;
  asOf: string | null;
  figuresDate: string | null;
  dataVersion: number;
  realisation: Money;
  totalValue: Money;
  commitmentUsed: Money | null;
  commitmentBasis: 'COMPUTED' | 'OFFICIAL' | 'NONE';
  attainment: number | null;
  status: KpiStatus;
  pdnShare: number | null;
  pdnShareTarget: number | null;
  pdnShareGap: number | null;
  pdnShareStatus: KpiStatus;
  umkShare: number | null;
  umkShareTarget: number | null;
  umkShareGap: number | null;
  umkShareStatus: KpiStatus;
  itemCount: number;
  formatted: {
    realisation: string;
    commitmentUsed: string | null;
    attainment: string | null;
    pdnShare: string | null;
    umkShare: string | null;
    totalValue: string;
    umkValue: string;
  };
  projection: { method: string; yearEndRealisation: Money; yearEndAttainment: number | null } | null;
  provenance: { fetchedAt: string | null; recomputedAt: string | null };
}

export interface BreakdownRowData {
  key: string;
  label: string;
  realisation: Money;
  totalValue: Money;
  itemCount: number;
  pdnShare: number | null;
  shareOfRealisation: number | null;
}

export interface OverviewData {
  kpiSummary: KpiSummaryData;
  kpiSeries: { points: { month: number; realisation: Money; targetToDate: Money | null }[] };
  kpiBreakdown: { rows: BreakdownRowData[] };
}

/** The metrics the dashboard's ranking offers. */
export type RankMetric = Exclude<KpiMetric, 'TOTAL_VALUE' | 'GAP_TO_DATE'>;
export type SortOrder = 'ASC' | 'DESC';

export const RANKING_QUERY = /* GraphQL */ `
  query DashboardRanking($year: Int!, $metric: KpiMetric!, $order: OrderDirection!, $first: Int!) {
    agencyRanking(year: $year, metric: $metric, order: $order, first: $first) {
      totalCount
      edges {
        node {
          rank
          agency {
            code
            name
          }
          realisation
          commitmentUsed
          attainment
          pdnShare
          umkShare
          itemCount
        }
      }
    }
  }
`;

export interface RankingRow {
  rank: number;
  agency: { code: string; name: string };
  realisation: Money;
  commitmentUsed: Money | null;
  attainment: number | null;
  pdnShare: number | null;
  umkShare: number | null;
  itemCount: number;
}

export interface RankingData {
  agencyRanking: { totalCount: number; edges: { node: RankingRow }[] };
}

export const PROGRAMME_QUERY = /* GraphQL */ `
  query DashboardProgramme($year: Int!) {
    events(first: 100, filter: { year: $year }, orderBy: { field: START_DATE }) {
      edges {
        node {
          id
          batchNumber
          title
          venue
          startDate
          endDate
          status
          exhibitorCount
        }
      }
    }
    programmeKpis(year: $year) {
      asOf
      eventsHeld
      uniqueExhibitors
      dealCount
      dealValue
      batches {
        event {
          id
        }
        exhibitors
        newExhibitors
        dealCount
        dealValue
        convertedExhibitors
        convertedValue
      }
      conversion {
        exhibitors
        converted
        rate
        value
      }
    }
  }
`;

export type EventStatus = 'DRAFT' | 'PUBLISHED' | 'DONE' | 'CANCELLED';

export interface EventData {
  id: string;
  batchNumber: number;
  title: string;
  venue: string;
  startDate: string;
  endDate: string;
  status: EventStatus;
  exhibitorCount: number;
}

export interface BatchData {
  event: { id: string };
  exhibitors: number;
  newExhibitors: number;
  dealCount: number;
  dealValue: Money;
  convertedExhibitors: number;
  convertedValue: Money;
}

export interface ProgrammeData {
  events: { edges: { node: EventData }[] };
  programmeKpis: {
    asOf: string;
    eventsHeld: number;
    uniqueExhibitors: number;
    dealCount: number;
    dealValue: Money;
    batches: BatchData[];
    conversion: { exhibitors: number; converted: number; rate: number | null; value: Money };
  };
}
