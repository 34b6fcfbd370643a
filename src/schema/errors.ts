// Typed errors: the GraphQL shapes of the domain errors that mutations return as results.
import { AppError, ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { builder } from './builder.js';

export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description:
    'An expected failure: nothing was written. Query `code`, `message` and `field` on any of them with `... on Error`.',
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'A stable machine-readable code, e.g. BAD_USER_INPUT, NOT_FOUND, CONFLICT.',
    }),
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    field: t.string({
      nullable: true,
      description: 'The input field at fault, as a path such as `input.endDate`, when there is one.',
      resolve: (err) => (typeof err.details?.field === 'string' ? err.details.field : null),
    }),
  }),
});

builder.objectType(AppError, {
  name: 'AppError',
  description: 'A domain error without further detail.',
  interfaces: [ErrorInterface],
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was invalid; `field` names the input field at fault (e.g. `input.endDate`).',
  interfaces: [ErrorInterface],
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'An object the input refers to does not exist (or is not visible).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    what: t.string({
      description: 'The kind of object that was not found, e.g. Event.',
      resolve: (err) => String(err.details?.what ?? ''),
    }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description:
    'The write conflicts with the data as it is: a duplicate (registration, batch number, NIB) or a step out of order (publishing a cancelled event).',
  interfaces: [ErrorInterface],
});
