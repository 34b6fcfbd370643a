// Typed errors: the GraphQL shapes of the domain errors that mutations return as results.
import { AppError, ConflictError, type FieldProblem, NotFoundError, ValidationError } from '../lib/errors.js';
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

const FieldError = builder.objectRef<FieldProblem>('FieldError').implement({
  description: 'One bad input field and what is wrong with it.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field, as a path such as `input.endDate`.' }),
    message: t.exposeString('message', { description: 'What is wrong with it, for people.' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description:
    'The input was invalid; `field` names the first input field at fault (e.g. `input.endDate`), `problems` every one.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    problems: t.field({
      type: [FieldError],
      description:
        'Every bad input field of the request, the one in `field` first: a form can mark them all at once.',
      resolve: (err) => err.problems,
    }),
  }),
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
