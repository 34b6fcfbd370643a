// Domain errors: each has a stable code that reaches clients; anything else is masked.

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One bad input field and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Bad input: names the field at fault, and every other bad field of the same input in `problems`. */
export class ValidationError extends AppError {
  readonly problems: FieldProblem[];

  constructor(
    readonly field: string,
    message: string,
    problems: FieldProblem[] = [],
  ) {
    super('BAD_USER_INPUT', message, problems.length > 1 ? { field, problems } : { field });
    this.problems = problems.length > 0 ? problems : [{ field, message }];
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super('NOT_FOUND', `${what} ${id} does not exist`, { what, id });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super('CONFLICT', message, field ? { field } : undefined);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'not allowed for this role') {
    super('FORBIDDEN', message);
  }
}

export class ConfigError extends AppError {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super('CONFIG_INVALID', message, { problems });
  }
}
