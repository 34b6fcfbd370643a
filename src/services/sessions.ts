// Sessions: the activities of an event (sosialisasi, bimbingan teknis, consultations...), which
// must fall on the event's days (Asia/Jakarta) and end after they start.
import type { Prisma, SessionKind } from '../generated/prisma/client.js';
import { fromDbDate, jakartaDate } from '../lib/dates.js';
import { prisma } from '../lib/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { instant, optionalText, parseInput, text, z } from './validation.js';

const SESSION_KINDS = [
  'OPENING',
  'SOSIALISASI',
  'BIMBINGAN_TEKNIS',
  'CONSULTATION',
  'SIINAS_REGISTRATION',
  'SHOWCASE',
  'OTHER',
] as const satisfies readonly SessionKind[];

const ordered = (v: { startsAt?: Date | null; endsAt?: Date | null }) =>
  !v.startsAt || !v.endsAt || v.endsAt.getTime() > v.startsAt.getTime();
const ORDER_MESSAGE = { message: 'must be after startsAt', path: ['endsAt'] };

export const createSessionInput = z
  .object({
    kind: z.enum(SESSION_KINDS),
    topic: text(300),
    startsAt: instant,
    endsAt: instant,
    location: optionalText(200),
  })
  .refine(ordered, ORDER_MESSAGE);
export type CreateSessionInput = z.input<typeof createSessionInput>;

export const updateSessionInput = z.object({
  kind: z.enum(SESSION_KINDS).nullish(),
  topic: text(300).nullish(),
  startsAt: instant.nullish(),
  endsAt: instant.nullish(),
  location: optionalText(200),
});
export type UpdateSessionInput = z.input<typeof updateSessionInput>;

function checkWithinEvent(event: { startDate: Date; endDate: Date }, startsAt: Date, endsAt: Date): void {
  parseInput(z.object({ startsAt: instant, endsAt: instant }).refine(ordered, ORDER_MESSAGE), {
    startsAt,
    endsAt,
  });
  const first = fromDbDate(event.startDate);
  const last = fromDbDate(event.endDate);
  for (const [field, at] of [
    ['startsAt', startsAt],
    ['endsAt', endsAt],
  ] as const) {
    const day = jakartaDate(at);
    if (day < first || day > last) {
      throw new ValidationError(
        `input.${field}`,
        `must fall on the event's days, ${first} to ${last} (Asia/Jakarta)`,
      );
    }
  }
}

async function openEvent(eventId: number) {
  const event = await prisma.event.findUnique({ where: { id: eventId } });
  if (!event) throw new NotFoundError('Event', eventId);
  if (event.status === 'CANCELLED') throw new ConflictError('the event is cancelled', 'eventId');
  return event;
}

export async function createSession(eventId: number, raw: CreateSessionInput) {
  const input = parseInput(createSessionInput, raw);
  const event = await openEvent(eventId);
  checkWithinEvent(event, input.startsAt, input.endsAt);
  return prisma.session.create({ data: { ...input, eventId } });
}

async function getSession(id: number) {
  const session = await prisma.session.findUnique({ where: { id }, include: { event: true } });
  if (!session) throw new NotFoundError('Session', id);
  return session;
}

export async function updateSession(id: number, raw: UpdateSessionInput) {
  const input = parseInput(updateSessionInput, raw);
  const { event, ...session } = await getSession(id);
  const startsAt = input.startsAt ?? session.startsAt;
  const endsAt = input.endsAt ?? session.endsAt;
  checkWithinEvent(event, startsAt, endsAt);
  const data: Prisma.SessionUpdateInput = {
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.topic ? { topic: input.topic } : {}),
    startsAt,
    endsAt,
    ...(raw.location !== undefined ? { location: input.location } : {}),
  };
  return prisma.session.update({ where: { id }, data });
}

/** Marks a session cancelled (or, with `cancelled: false`, back on); it stays listed, marked. */
export async function setSessionCancelled(id: number, cancelled: boolean) {
  await getSession(id);
  return prisma.session.update({ where: { id }, data: { cancelled } });
}
