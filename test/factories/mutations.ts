// One valid call of every admin mutation of the Business Matching domain, against fixtures made
// here, in an order in which an admin can run them all successfully one after the other.
import { prisma } from '../../src/lib/db.js';
import { globalId } from './api.js';
import { makeAgency, makeDeal, makeEvent, makeExhibitor, makeProduct, register } from './data.js';

export interface MutationCall {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

const RESULT = `__typename ... on Error { code message field } ... on ValidationError { field }`;

const ARG_TYPES: Record<string, string> = {
  id: 'ID!',
  eventId: 'ID!',
  exhibitorId: 'ID!',
  agencyId: 'ID!',
  booth: 'String',
  name: 'String!',
};

/** A call of `name` with the given variables; `inputType` is the type of an `input` variable. */
function call(name: string, inputType: string, variables: Record<string, unknown>): MutationCall {
  const params = Object.keys(variables);
  const decl = params.map((p) => `$${p}: ${p === 'input' ? inputType : ARG_TYPES[p]}`).join(', ');
  const pass = params.map((p) => `${p}: $${p}`).join(', ');
  return { name, query: `mutation (${decl}) { ${name}(${pass}) { ${RESULT} } }`, variables };
}

export async function domainMutationCalls(): Promise<MutationCall[]> {
  const agency = await makeAgency();
  const draftA = await makeEvent({ status: 'DRAFT' });
  const draftB = await makeEvent({ status: 'DRAFT' });
  const live = await makeEvent({ status: 'PUBLISHED' });
  const session = await prisma.session.create({
    data: {
      eventId: live.id,
      kind: 'SOSIALISASI',
      topic: 'Sosialisasi P3DN',
      startsAt: new Date('2030-05-06T02:00:00Z'),
      endsAt: new Date('2030-05-06T04:00:00Z'),
    },
  });
  const exhibitor = await makeExhibitor();
  const other = await makeExhibitor();
  const product = await makeProduct(exhibitor.id);
  const leaving = await register(live.id, (await makeExhibitor()).id, 'Z-9');
  await register(live.id, exhibitor.id, 'A-1');
  const deal = await makeDeal({ eventId: live.id, agencyId: agency.id, exhibitorId: exhibitor.id });
  const doomed = await makeDeal({ eventId: live.id, agencyId: agency.id, exhibitorId: exhibitor.id });

  const id = (type: string, n: number) => globalId(type, n);
  return [
    call('createEvent', 'CreateEventInput!', {
      input: {
        batchNumber: 77,
        title: 'Batch Uji',
        venue: 'Balai Kota',
        startDate: '2031-02-13',
        endDate: '2031-02-16',
      },
    }),
    call('updateEvent', 'UpdateEventInput!', { id: id('Event', draftA.id), input: { title: 'Judul baru' } }),
    call('createSession', 'CreateSessionInput!', {
      eventId: id('Event', live.id),
      input: {
        kind: 'CONSULTATION',
        topic: 'Konsultasi',
        startsAt: '2030-05-07T02:00:00Z',
        endsAt: '2030-05-07T05:00:00Z',
      },
    }),
    call('updateSession', 'UpdateSessionInput!', {
      id: id('Session', session.id),
      input: { topic: 'Topik baru' },
    }),
    call('cancelSession', '', { id: id('Session', session.id) }),
    call('publishSession', '', { id: id('Session', session.id) }),
    call('createExhibitor', 'CreateExhibitorInput!', {
      input: { name: 'UD Baru', nib: '1234567890123', scale: 'MICRO', sector: 'Kerajinan' },
    }),
    call('updateExhibitor', 'UpdateExhibitorInput!', {
      id: id('Exhibitor', exhibitor.id),
      input: { city: 'Jakarta Timur' },
    }),
    call('createProduct', 'CreateProductInput!', {
      exhibitorId: id('Exhibitor', exhibitor.id),
      input: { name: 'Batik tulis', tkdn: 87.5 },
    }),
    call('updateProduct', 'UpdateProductInput!', { id: id('Product', product.id), input: { tkdn: 60 } }),
    call('registerExhibitor', '', {
      eventId: id('Event', live.id),
      exhibitorId: id('Exhibitor', other.id),
      booth: 'B-7',
    }),
    call('updateParticipation', '', { id: id('Participation', leaving.id), booth: 'Z-10' }),
    call('unregisterExhibitor', '', { id: id('Participation', leaving.id) }),
    call('recordDeal', 'RecordDealInput!', {
      eventId: id('Event', live.id),
      agencyId: id('Agency', agency.id),
      exhibitorId: id('Exhibitor', exhibitor.id),
      input: { value: '250000000.50', signedOn: '2030-05-08' },
    }),
    call('updateDeal', 'UpdateDealInput!', { id: id('Deal', deal.id), input: { value: '300000000.00' } }),
    call('deleteDeal', '', { id: id('Deal', doomed.id) }),
    call('createAgency', 'CreateAgencyInput!', {
      input: { code: '9.99.0.00.0.00.01.0000', name: 'Unit Uji', kind: 'DINAS', numericCode: '999001' },
    }),
    call('renameAgency', '', { id: id('Agency', agency.id), name: 'Dinas Bernama Baru' }),
    call('setFiscalTarget', 'SetFiscalTargetInput!', {
      agencyId: id('Agency', agency.id),
      input: { fiscalYear: 2030, officialCommitment: '1000000000.00', pdnShareTarget: 95 },
    }),
    call('publishEvent', '', { id: id('Event', draftA.id) }),
    call('completeEvent', '', { id: id('Event', draftA.id) }),
    call('cancelEvent', '', { id: id('Event', draftB.id) }),
  ];
}
