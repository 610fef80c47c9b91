/**
 * Typed domain errors. Services throw these; `app/utils/http.server.ts` maps them to HTTP once.
 * Messages are i18n keys (see app/locales) so the UI can show them in the reader's language.
 */
export type FieldErrors = Record<string, string[]>;

export class DomainError extends Error {
  readonly status: number = 500;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
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
  constructor(message = "errors.forbidden") {
    super(message);
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
  constructor(message = "errors.conflict") {
    super(message);
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
