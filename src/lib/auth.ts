// Authentication failures, shared by the HTTP layer (bad or revoked key) and the schema's scope
// checks (no key where one is needed).
import { AppError } from './errors.js';

/** The request carries no valid credentials: a missing, unknown or revoked API key. */
export class UnauthenticatedError extends AppError {
  constructor(message = 'an API key is required') {
    super('UNAUTHENTICATED', message);
  }
}
