/**
 * Typed domain errors. Services throw these; the HTTP edge maps them once — pages through
 * app/web/actions.server.ts, the API through app/web/api/envelope.server.ts. Messages are i18n
 * keys (see app/locales) so the UI can show them in the reader's language.
 */
export type FieldErrors = Record<string, string[]>;

/**
 * An empty record of field errors. Its keys are paths that may come from outside (a JSON body's
 * own keys, a form's field names), so it has no prototype: "__proto__", "constructor" or
 * "toString" are keys like any other, never Object.prototype's members.
 */
export function fieldErrors(): FieldErrors {
  return Object.create(null) as FieldErrors;
}

/** The list of messages under `path`, created empty when there is none yet (an own key, whatever the record's prototype). */
export function fieldErrorList(errors: FieldErrors, path: string): string[] {
  if (!Object.hasOwn(errors, path))
    Object.defineProperty(errors, path, { value: [], enumerable: true, writable: true, configurable: true });
  return errors[path]!;
}

/** What a refusal may say beyond its message: the parameters of the message, the one field it is about, a machine code for the API. */
export interface DomainErrorDetails {
  params?: Record<string, string | number>;
  field?: string | null;
  code?: string | null;
}

export class DomainError extends Error {
  readonly status: number = 500;
  readonly params: Record<string, string | number>;
  readonly field: string | null;
  readonly code: string | null;
  constructor(message: string, details: DomainErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.params = details.params ?? {};
    this.field = details.field ?? null;
    this.code = details.code ?? null;
  }
}

export class ValidationError extends DomainError {
  override readonly status = 400;
  constructor(
    public readonly fieldErrors: FieldErrors,
    message = "errors.invalidInput",
  ) {
    super(message);
  }
}

export class AuthenticationError extends DomainError {
  override readonly status = 401;
  constructor(message = "errors.loginRequired") {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  override readonly status = 403;
  constructor(message = "errors.forbidden", details?: DomainErrorDetails) {
    super(message, details);
  }
}

export class NotFoundError extends DomainError {
  override readonly status = 404;
  constructor(message = "errors.notFound") {
    super(message);
  }
}

export class ConflictError extends DomainError {
  override readonly status = 409;
  constructor(message = "errors.conflict", details?: DomainErrorDetails) {
    super(message, details);
  }
}

export class RateLimitedError extends DomainError {
  override readonly status = 429;
  constructor(
    public readonly retryAfterSeconds: number,
    message = "errors.rateLimited",
  ) {
    super(message);
  }
}

/**
 * A service the request needs (MongoDB) cannot be reached right now: 503 with Retry-After. The
 * edge maps the driver's connection errors to this one error (app/web/unavailable.server.ts).
 */
export class ServiceUnavailableError extends DomainError {
  override readonly status = 503;
  constructor(
    public readonly retryAfterSeconds = 5,
    message = "apiErrors.serviceUnavailable",
  ) {
    super(message);
  }
}
