// The baseline the dashboard benchmark compares Bisma with: plain node:http + graphql-js + pg, one
// hand-written SQL statement per root field (two for the events page), parsed and validated
// documents kept by query text. It answers the bench's dashboard documents with the same fields
// and no more: no auth, no provenance, no error typing — the practical limit of this stack.
// Prints its URL on stdout; DATABASE_URL names the database; stops on SIGTERM.
import { createServer } from 'node:http';
import {
  buildSchema,
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  parse,
  validate,
} from 'graphql';
import pg from 'pg';

pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const schema = buildSchema(`
  type Query {
    kpiSummary(year: Int!): KpiSummary!
    kpiSeries(year: Int!): KpiSeries!
    agencyRanking(year: Int!, first: Int): AgencyRankingConnection!
    events(first: Int): EventConnection!
  }
  type KpiSummary {
    dataVersion: Int!
    realisation: String!
    totalValue: String!
    umkValue: String!
    itemCount: Int!
    pdnShare: Float
    umkShare: Float
  }
  type KpiSeries { dataVersion: Int! points: [KpiPoint!]! }
  type KpiPoint { month: Int! realisation: String! totalValue: String! itemCount: Int! }
  type AgencyRankingConnection { totalCount: Int! edges: [AgencyKpiEdge!]! }
  type AgencyKpiEdge { node: AgencyKpi! }
  type AgencyKpi { rank: Int! realisation: String! itemCount: Int! agency: Agency! }
  type Agency { code: String! name: String! }
  type EventConnection { edges: [EventEdge!]! }
  type EventEdge { node: Event! }
  type Event { title: String! venue: String! startDate: String! participations: [Participation!]! }
  type Participation { booth: String exhibitor: Exhibitor! }
  type Exhibitor { name: String! city: String }
`);

// The current aggregates: the rows no later version has replaced.
const SUMMARY = `
SELECT (SELECT coalesce(max(id), 0) FROM kpi_version WHERE status = 'PUBLISHED') AS "dataVersion",
  coalesce(sum(pdn_value), 0)::text AS realisation, coalesce(sum(total_value), 0)::text AS "totalValue",
  coalesce(sum(umk_value), 0)::text AS "umkValue", coalesce(sum(item_count), 0)::int AS "itemCount",
  round(sum(pdn_share_part) * 100 / nullif(sum(pdn_share_base), 0), 2)::float8 AS "pdnShare",
  round(sum(umk_share_part) * 100 / nullif(sum(umk_share_base), 0), 2)::float8 AS "umkShare"
FROM kpi_aggregate WHERE fiscal_year = $1 AND version_to IS NULL`;

const SERIES = `
SELECT m AS month, coalesce(sum(a.pdn_value), 0)::text AS realisation,
  coalesce(sum(a.total_value), 0)::text AS "totalValue", coalesce(sum(a.item_count), 0)::int AS "itemCount"
FROM generate_series(1, 12) m
LEFT JOIN kpi_aggregate a ON a.month = m AND a.fiscal_year = $1 AND a.version_to IS NULL
GROUP BY m ORDER BY m`;

const RANKING = `
WITH own AS (
  SELECT g.id, g.code, g.name, coalesce(sum(a.pdn_value), 0) AS realisation,
    coalesce(sum(a.item_count), 0)::int AS "itemCount"
  FROM agency g
  LEFT JOIN kpi_aggregate a ON a.agency_id = g.id AND a.fiscal_year = $1 AND a.version_to IS NULL
  WHERE g.kind <> 'PROVINCE'
  GROUP BY g.id
)
SELECT rank() OVER (ORDER BY realisation DESC)::int AS rank, realisation::text AS realisation, "itemCount",
  code, name, count(*) OVER ()::int AS total
FROM own ORDER BY realisation DESC, code LIMIT $2`;

const EVENTS = `
SELECT id, title, venue, start_date AS "startDate" FROM event
WHERE status IN ('PUBLISHED', 'DONE') ORDER BY start_date, id LIMIT $1`;

const PARTICIPATIONS = `
SELECT p.event_id, p.booth, x.name, x.city FROM participation p JOIN exhibitor x ON x.id = p.exhibitor_id
WHERE p.event_id = ANY($1::int[]) ORDER BY p.id`;

const rootValue = {
  async kpiSummary({ year }: { year: number }) {
    return (await pool.query(SUMMARY, [year])).rows[0];
  },
  async kpiSeries({ year }: { year: number }) {
    const version = await pool.query(
      `SELECT coalesce(max(id), 0) AS v FROM kpi_version WHERE status = 'PUBLISHED'`,
    );
    return { dataVersion: version.rows[0].v, points: (await pool.query(SERIES, [year])).rows };
  },
  async agencyRanking({ year, first }: { year: number; first?: number }) {
    const { rows } = await pool.query(RANKING, [year, first ?? 20]);
    return {
      totalCount: rows[0]?.total ?? 0,
      edges: rows.map((r) => ({ node: { ...r, agency: { code: r.code, name: r.name } } })),
    };
  },
  async events({ first }: { first?: number }) {
    const events = (await pool.query(EVENTS, [first ?? 20])).rows;
    const parts = (await pool.query(PARTICIPATIONS, [events.map((e) => e.id)])).rows;
    return {
      edges: events.map((e) => ({
        node: {
          ...e,
          participations: parts
            .filter((p) => p.event_id === e.id)
            .map((p) => ({ booth: p.booth, exhibitor: { name: p.name, city: p.city } })),
        },
      })),
    };
  },
};

const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

function prepared(query: string): DocumentNode | readonly GraphQLError[] {
  let doc = documents.get(query);
  if (!doc) {
    try {
      const parsed = parse(query);
      const errors = validate(schema, parsed);
      doc = errors.length ? errors : parsed;
    } catch (err) {
      doc = [err as GraphQLError];
    }
    documents.set(query, doc);
  }
  return doc;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    let result: ExecutionResult;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const doc = prepared(body.query);
      result = Array.isArray(doc)
        ? { errors: doc as GraphQLError[] }
        : await execute({
            schema,
            document: doc as DocumentNode,
            rootValue,
            variableValues: body.variables,
            operationName: body.operationName,
          });
    } catch (err) {
      result = { errors: [new GraphQLError((err as Error).message)] };
    }
    const text = JSON.stringify(result);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    process.stdout.write(`http://127.0.0.1:${address.port}/graphql\n`);
});
process.once('SIGTERM', () => {
  server.close();
  pool.end().then(() => process.exit(0));
});
