/**
 * What services throw when a request cannot be done: the domain's reasons, not HTTP's. The error plugin
 * (src/plugins/errors.ts) is the one place that turns them into problem+json with a status.
 */
export const DOMAIN_ERROR_KINDS = ['invalid', 'not_found', 'forbidden', 'conflict', 'stale', 'precondition_required', 'unprocessable'] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

/** A field a request got wrong, as a JSON pointer into the request (`/body/status`) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    detail: string,
    readonly fields?: FieldError[],
  ) {
    super(detail);
  }
}

export function notFound(what: string, id: number | string): DomainError {
  return new DomainError('not_found', `${what} ${id} does not exist`);
}

/** A malformed request naming every offending field; the detail lists them for a reader. */
export function invalidFields(fields: FieldError[]): DomainError {
  return new DomainError('invalid', fields.map((e) => `${e.field.slice(1)} ${e.message}`).join('; '), fields);
}

export function invalidField(field: string, message: string): DomainError {
  return invalidFields([{ field, message }]);
}

/** Well-formed, but it names something that does not exist or does not fit (unknown measure, period outside the plan …). */
export function unprocessable(field: string, message: string): DomainError {
  return new DomainError('unprocessable', `${field.slice(1)} ${message}`, [{ field, message }]);
}

export function forbidden(detail: string, fields?: FieldError[]): DomainError {
  return new DomainError('forbidden', detail, fields);
}

export function conflict(detail: string): DomainError {
  return new DomainError('conflict', detail);
}

/** The thing changed since the caller read it. */
export function stale(detail: string): DomainError {
  return new DomainError('stale', detail);
}

/** The change must name the version it was made against. */
export function preconditionRequired(detail: string): DomainError {
  return new DomainError('precondition_required', detail);
}
