// Registrations of exhibitors at events (participations), with their booths.
import type { Prisma } from '../generated/prisma/client.js';
import { prisma } from '../lib/db.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import { optionalText, parseInput, rethrowUnique, z } from './validation.js';

const boothInput = z.object({ booth: optionalText(30) });

async function checkBoothFree(eventId: number, booth: string | null, exceptId?: number): Promise<void> {
  if (!booth) return;
  const taken = await prisma.participation.findFirst({
    where: { eventId, booth, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) throw new ConflictError(`booth ${booth} is already taken at this event`, 'booth');
}

/** Registers an exhibitor at an event; a second registration of the same pair is a conflict. */
export async function registerExhibitor(eventId: number, exhibitorId: number, rawBooth?: string | null) {
  const { booth } = parseInput(boothInput, { booth: rawBooth }, '');
  const event = await prisma.event.findUnique({ where: { id: eventId }, select: { status: true } });
  if (!event) throw new NotFoundError('Event', eventId);
  if (event.status === 'CANCELLED') throw new ConflictError('the event is cancelled', 'eventId');
  if (!(await prisma.exhibitor.findUnique({ where: { id: exhibitorId }, select: { id: true } }))) {
    throw new NotFoundError('Exhibitor', exhibitorId);
  }
  const existing = await prisma.participation.findUnique({
    where: { eventId_exhibitorId: { eventId, exhibitorId } },
    select: { id: true },
  });
  if (existing) throw new ConflictError('the exhibitor is already registered at this event', 'exhibitorId');
  await checkBoothFree(eventId, booth);
  try {
    return await prisma.participation.create({ data: { eventId, exhibitorId, booth } });
  } catch (err) {
    // Two admins registering the same pair at once: the unique index decides.
    rethrowUnique(err, 'exhibitorId', 'the exhibitor is already registered at this event');
  }
}

export async function updateParticipation(id: number, rawBooth: string | null | undefined) {
  const { booth } = parseInput(boothInput, { booth: rawBooth }, '');
  const participation = await prisma.participation.findUnique({ where: { id } });
  if (!participation) throw new NotFoundError('Participation', id);
  await checkBoothFree(participation.eventId, booth, id);
  return prisma.participation.update({ where: { id }, data: { booth } });
}

/** Removes a registration and returns it as it was, read with the caller's `query` first. */
export async function unregisterExhibitor<Q extends Omit<Prisma.ParticipationFindUniqueArgs, 'where'>>(
  id: number,
  query?: Q,
) {
  const participation = await prisma.participation.findUnique({ ...(query ?? {}), where: { id } });
  if (!participation) throw new NotFoundError('Participation', id);
  await prisma.participation.delete({ where: { id } });
  return participation;
}
