/**
 * Domain errors. Business code throws these; one web middleware maps them to
 * an HTTP problem (API) or a re-rendered page (UI). `expose` says whether the
 * message may reach a client (true for 4xx).
 */
export class DomainError extends Error {
  readonly status: number;
  readonly expose: boolean;
  readonly type: string;
  readonly details?: Record<string, unknown>;
  constructor(status: number, type: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.status = status;
    this.type = type;
    this.expose = status < 500;
    this.details = options?.details;
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Not found', options?: { cause?: unknown }) {
    super(404, 'not-found', message, options);
  }
}

export class InvalidInputError extends DomainError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(400, 'invalid-input', message, options);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(409, 'conflict', message, options);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Forbidden') {
    super(403, 'forbidden', message);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super(413, 'payload-too-large', message);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super(415, 'unsupported-media-type', message);
  }
}

export class UnavailableError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(503, 'unavailable', message, options);
  }
}

/** A one-line message for logs and error columns (NUL characters removed: PostgreSQL refuses them). */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.includes('\0') ? text.replace(/\0/g, '') : text;
}
