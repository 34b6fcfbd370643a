// Deals, agencies and fiscal targets over real HTTP: filters, ordering, pagination, exact money,
// and each admin mutation's success and validation errors.
import { describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { prisma } from '../../src/lib/db.js';
import { type GqlResponse, globalId } from '../factories/api.js';
import {
  databaseFingerprint,
  makeAgency,
  makeDeal,
  makeEvent,
  makeExhibitor,
  register,
} from '../factories/data.js';
import { apiTestFile } from '../helpers/api-file.js';

const { api, keys } = apiTestFile({ seed: loadDemoData });

const DEALS = `query ($filter: DealFilter, $orderBy: DealOrder, $first: Int, $after: String) {
  deals(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id value signedOn event { id } agency { id } exhibitor { id } } }
  }
}`;

type DealNode = {
  id: string;
  value: string;
  signedOn: string;
  event: { id: string };
  agency: { id: string };
  exhibitor: { id: string };
};
const nodes = (res: GqlResponse): DealNode[] => res.data.deals.edges.map((e: { node: DealNode }) => e.node);

async function scene() {
  const event = await makeEvent();
  const agency = await makeAgency();
  const exhibitor = await makeExhibitor();
  await register(event.id, exhibitor.id);
  return {
    event,
    agency,
    exhibitor,
    parties: { eventId: event.id, agencyId: agency.id, exhibitorId: exhibitor.id },
  };
}

describe('deals query', () => {
  it('lists all demo deals to an analyst, with exact money values', async () => {
    const res = await api.gql(DEALS, { first: 100 }, keys.analyst);
    expect(res.data.deals.totalCount).toBe(await prisma.deal.count());
    const cents = nodes(res).reduce((sum, d) => sum + BigInt(d.value.replace('.', '')), 0n);
    const [{ total }] = await prisma.$queryRaw<
      { total: string }[]
    >`SELECT sum(value)::text AS total FROM deal`;
    expect(cents).toBe(BigInt(total.replace('.', '')));
    expect(nodes(res).every((d) => /^\d+\.\d{2}$/.test(d.value))).toBe(true);
  });

  it('filters by event, agency and exhibitor', async () => {
    const s = await scene();
    const other = await scene();
    const mine = await makeDeal(s.parties, { value: '1500000.00' });
    await makeDeal(other.parties);
    for (const filter of [
      { events: [globalId('Event', s.event.id)] },
      { agencies: [globalId('Agency', s.agency.id)] },
      { exhibitors: [globalId('Exhibitor', s.exhibitor.id)] },
    ]) {
      const res = await api.gql(DEALS, { filter }, keys.analyst);
      expect(nodes(res).map((d) => d.id)).toEqual([globalId('Deal', mine.id)]);
      expect(res.data.deals.totalCount).toBe(1);
    }
  });

  it('filters by signing dates and minimum value', async () => {
    const s = await scene();
    const early = await makeDeal(s.parties, { signedOn: new Date('2030-05-06'), value: '10.00' });
    const late = await makeDeal(s.parties, { signedOn: new Date('2030-05-09'), value: '999999999999.99' });
    const events = [globalId('Event', s.event.id)];
    const byDate = await api.gql(
      DEALS,
      { filter: { events, signedOn: { from: '2030-05-08' } } },
      keys.analyst,
    );
    expect(nodes(byDate).map((d) => d.id)).toEqual([globalId('Deal', late.id)]);
    const byValue = await api.gql(DEALS, { filter: { events, minValue: '10.01' } }, keys.analyst);
    expect(nodes(byValue).map((d) => d.value)).toEqual(['999999999999.99']);
    const upTo = await api.gql(DEALS, { filter: { events, signedOn: { to: '2030-05-06' } } }, keys.analyst);
    expect(nodes(upTo).map((d) => d.id)).toEqual([globalId('Deal', early.id)]);
  });

  it('orders by value or signing day, latest first by default', async () => {
    const byDefault = nodes(await api.gql(DEALS, { first: 100 }, keys.analyst)).map((d) => d.signedOn);
    expect(byDefault).toEqual([...byDefault].sort().reverse());
    const byValue = nodes(
      await api.gql(DEALS, { first: 100, orderBy: { field: 'VALUE', direction: 'DESC' } }, keys.analyst),
    );
    const values = byValue.map((d) => BigInt(d.value.replace('.', '')));
    expect(values).toEqual([...values].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  });

  it('pages through deals to a last page, and answers an empty filter with an empty page', async () => {
    const total = await prisma.deal.count();
    const first = await api.gql(DEALS, { first: total - 1 }, keys.analyst);
    expect(first.data.deals.pageInfo.hasNextPage).toBe(true);
    const last = await api.gql(
      DEALS,
      { first: 10, after: first.data.deals.pageInfo.endCursor },
      keys.analyst,
    );
    expect(nodes(last)).toHaveLength(1);
    expect(last.data.deals.pageInfo.hasNextPage).toBe(false);
    const empty = await api.gql(DEALS, { filter: { minValue: '100000000000000000.00' } }, keys.analyst);
    expect(empty.data.deals).toMatchObject({ totalCount: 0, edges: [] });
  });
});

const RESULT = '__typename ... on Error { code message field }';
const RECORD = `mutation ($eventId: ID!, $agencyId: ID!, $exhibitorId: ID!, $input: RecordDealInput!) {
  recordDeal(eventId: $eventId, agencyId: $agencyId, exhibitorId: $exhibitorId, input: $input) {
    ${RESULT} ... on MutationRecordDealSuccess { data { id value signedOn description } } } }`;

function ids(s: Awaited<ReturnType<typeof scene>>) {
  return {
    eventId: globalId('Event', s.event.id),
    agencyId: globalId('Agency', s.agency.id),
    exhibitorId: globalId('Exhibitor', s.exhibitor.id),
  };
}

describe('recordDeal, updateDeal and deleteDeal', () => {
  const terms = { value: '1234567890123456.78', signedOn: '2030-05-08', description: 'Pengadaan seragam' };

  it('records a deal with its value kept exactly', async () => {
    const s = await scene();
    const res = await api.gql(RECORD, { ...ids(s), input: terms }, keys.admin);
    expect(res.data.recordDeal).toMatchObject({
      __typename: 'MutationRecordDealSuccess',
      data: { value: '1234567890123456.78', signedOn: '2030-05-08', description: 'Pengadaan seragam' },
    });
    const [row] = await prisma.$queryRaw<
      { value: string }[]
    >`SELECT value::text FROM deal WHERE event_id = ${s.event.id}`;
    expect(row!.value).toBe('1234567890123456.78');
  });

  it.each([
    ['a negative value', { value: '-1.00' }, 'input.value'],
    ['a value with 3 decimals', { value: '10.005' }, 'input.value'],
    ['a signing day before the event', { signedOn: '2030-05-01' }, 'input.signedOn'],
  ])(
    'rejects %s with a ValidationError naming the field and writes nothing',
    async (_what, change, field) => {
      const s = await scene();
      const before = await databaseFingerprint();
      const res = await api.gql(RECORD, { ...ids(s), input: { ...terms, ...change } }, keys.admin);
      expect(res.data.recordDeal).toMatchObject({
        __typename: 'ValidationError',
        code: 'BAD_USER_INPUT',
        field,
      });
      expect(await databaseFingerprint()).toEqual(before);
    },
  );

  it('rejects a deal with an exhibitor not registered at the event, or at a draft event', async () => {
    const s = await scene();
    const stranger = await makeExhibitor();
    const res = await api.gql(
      RECORD,
      { ...ids(s), exhibitorId: globalId('Exhibitor', stranger.id), input: terms },
      keys.admin,
    );
    expect(res.data.recordDeal).toMatchObject({ __typename: 'ValidationError', field: 'exhibitorId' });
    const draft = await makeEvent({ status: 'DRAFT' });
    await register(draft.id, s.exhibitor.id);
    const atDraft = await api.gql(
      RECORD,
      { ...ids(s), eventId: globalId('Event', draft.id), input: terms },
      keys.admin,
    );
    expect(atDraft.data.recordDeal).toMatchObject({ __typename: 'ValidationError', field: 'eventId' });
  });

  it('rejects money sent as a JSON number at the GraphQL layer', async () => {
    const s = await scene();
    const res = await api.gql(RECORD, { ...ids(s), input: { ...terms, value: 1500000 } }, keys.admin);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await prisma.deal.count({ where: { eventId: s.event.id } })).toBe(0);
  });

  it('updates a deal, refuses a negative value, and deletes it', async () => {
    const s = await scene();
    const deal = await makeDeal(s.parties);
    const id = globalId('Deal', deal.id);
    const update = `mutation ($id: ID!, $input: UpdateDealInput!) { updateDeal(id: $id, input: $input) {
      ${RESULT} ... on MutationUpdateDealSuccess { data { value description } } } }`;
    const ok = await api.gql(update, { id, input: { value: '0.00', description: 'Revisi' } }, keys.admin);
    expect(ok.data.updateDeal).toMatchObject({ data: { value: '0.00', description: 'Revisi' } });
    const bad = await api.gql(update, { id, input: { value: '-0.01' } }, keys.admin);
    expect(bad.data.updateDeal).toMatchObject({ __typename: 'ValidationError', field: 'input.value' });
    const del = `mutation ($id: ID!) { deleteDeal(id: $id) {
      ${RESULT} ... on MutationDeleteDealSuccess { data { value event { id } exhibitor { name } } } } }`;
    expect((await api.gql(del, { id }, keys.admin)).data.deleteDeal).toMatchObject({
      data: {
        value: '0.00',
        event: { id: globalId('Event', s.event.id) },
        exhibitor: { name: s.exhibitor.name },
      },
    });
    expect(await prisma.deal.findUnique({ where: { id: deal.id } })).toBeNull();
    expect((await api.gql(del, { id }, keys.admin)).data.deleteDeal).toMatchObject({
      __typename: 'NotFoundError',
    });
  });
});

// ---------------------------------------------------------------- agencies and targets

describe('agencies query', () => {
  const AGENCIES = `query ($filter: AgencyFilter, $orderBy: AgencyOrder, $first: Int) {
    agencies(filter: $filter, orderBy: $orderBy, first: $first) { totalCount edges { node { code name kind parent { code } } } } }`;

  it('searches by name or code and filters by kind and activity', async () => {
    await makeAgency({ code: 'ZZ01', name: 'Dinas Uji Pencarian', kind: 'BADAN', active: false });
    const byName = await api.gql(AGENCIES, { filter: { search: 'uji pencarian' } });
    expect(byName.data.agencies.edges.map((e: { node: { code: string } }) => e.node.code)).toEqual(['ZZ01']);
    const byCode = await api.gql(AGENCIES, { filter: { search: 'zz01', kinds: ['BADAN'], active: false } });
    expect(byCode.data.agencies.totalCount).toBe(1);
    const none = await api.gql(AGENCIES, { filter: { search: 'zz01', kinds: ['RSUD'] } });
    expect(none.data.agencies).toEqual({ totalCount: 0, edges: [] });
  });

  it('orders by code by default and by name on request', async () => {
    const byCode = (await api.gql(AGENCIES, { first: 100 })).data.agencies.edges.map(
      (e: { node: { code: string } }) => e.node.code,
    );
    expect(byCode).toEqual([...byCode].sort());
    const byName = (
      await api.gql(AGENCIES, { first: 100, orderBy: { field: 'NAME', direction: 'DESC' } })
    ).data.agencies.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(byName.length).toBeGreaterThan(5);
    expect(byName[0] >= byName[byName.length - 1]).toBe(true);
  });
});

describe('fiscal targets', () => {
  const TARGETS = `query ($year: Int, $agencies: [ID!]) { fiscalTargets(fiscalYear: $year, agencies: $agencies) {
    fiscalYear officialCommitment pdnShareTarget umkShareTarget agency { code } } }`;
  const SET = `mutation ($agencyId: ID!, $input: SetFiscalTargetInput!) { setFiscalTarget(agencyId: $agencyId, input: $input) {
    ${RESULT} ... on MutationSetFiscalTargetSuccess { data { fiscalYear officialCommitment pdnShareTarget umkShareTarget note } } } }`;

  it('shows the official 2023 commitment of Rp 15.8 trillion with the 95 % and 40 % targets', async () => {
    const res = await api.gql(TARGETS, { year: 2023 });
    const withCommitment = res.data.fiscalTargets.filter(
      (t: { officialCommitment: string | null }) => t.officialCommitment,
    );
    expect(withCommitment).toEqual([
      expect.objectContaining({
        officialCommitment: '15800000000000.00',
        pdnShareTarget: 95,
        umkShareTarget: 40,
      }),
    ]);
  });

  it('creates targets with defaults, then changes only the given fields', async () => {
    const agency = await makeAgency();
    const agencyId = globalId('Agency', agency.id);
    const created = await api.gql(
      SET,
      { agencyId, input: { fiscalYear: 2025, officialCommitment: '11334000000000.00' } },
      keys.admin,
    );
    expect(created.data.setFiscalTarget).toMatchObject({
      data: {
        fiscalYear: 2025,
        officialCommitment: '11334000000000.00',
        pdnShareTarget: 95,
        umkShareTarget: 40,
        note: null,
      },
    });
    const changed = await api.gql(
      SET,
      { agencyId, input: { fiscalYear: 2025, umkShareTarget: 42.5, note: 'Revisi APBD-P' } },
      keys.admin,
    );
    expect(changed.data.setFiscalTarget).toMatchObject({
      data: {
        officialCommitment: '11334000000000.00',
        pdnShareTarget: 95,
        umkShareTarget: 42.5,
        note: 'Revisi APBD-P',
      },
    });
    const cleared = await api.gql(
      SET,
      { agencyId, input: { fiscalYear: 2025, officialCommitment: null } },
      keys.admin,
    );
    expect(cleared.data.setFiscalTarget.data.officialCommitment).toBeNull();
    expect(await prisma.fiscalTarget.count({ where: { agencyId: agency.id } })).toBe(1);
  });

  it.each([
    ['a share target above 100', { pdnShareTarget: 101 }, 'input.pdnShareTarget'],
    ['a negative commitment', { officialCommitment: '-5.00' }, 'input.officialCommitment'],
    ['a commitment with 3 decimals', { officialCommitment: '5.001' }, 'input.officialCommitment'],
    ['a year out of range', { fiscalYear: 1990 }, 'input.fiscalYear'],
  ])(
    'rejects %s with a ValidationError naming the field and writes nothing',
    async (_what, change, field) => {
      const agency = await makeAgency();
      const before = await databaseFingerprint();
      const res = await api.gql(
        SET,
        { agencyId: globalId('Agency', agency.id), input: { fiscalYear: 2025, ...change } },
        keys.admin,
      );
      expect(res.data.setFiscalTarget).toMatchObject({ __typename: 'ValidationError', field });
      expect(await databaseFingerprint()).toEqual(before);
    },
  );
});
