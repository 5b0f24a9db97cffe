import { joined, said, type Said } from './said.js';

/**
 * What services throw when a request cannot be done: the domain's reasons, not HTTP's. The error plugin
 * (src/plugins/errors.ts) is the one place that turns them into problem+json with a status, in the reader's language.
 */
export const DOMAIN_ERROR_KINDS = ['invalid', 'not_found', 'forbidden', 'conflict', 'stale', 'precondition_required', 'unprocessable'] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

/** A field a request got wrong, as a JSON pointer into the request (`/body/status`) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: Said;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly detail: Said,
    readonly fields?: FieldError[],
  ) {
    super(detail.en);
  }
}

/** The names of things as a reader says them, for messages about them. */
export const THINGS = {
  plan: said('规划', 'plan'),
  chapter: said('章节', 'chapter'),
  task: said('任务', 'task'),
  measure: said('措施', 'measure'),
  milestone: said('年度目标', 'milestone'),
  unit: said('单位', 'unit'),
  indicator: said('指标', 'indicator'),
  report: said('进展报告', 'report'),
  assignment: said('责任分工', 'assignment'),
  apiKey: said('API 密钥', 'API key'),
} as const;

export function notFound(what: Said, id: number | string): DomainError {
  return new DomainError('not_found', said(`${what.zh} ${id} 不存在`, `${what.en} ${id} does not exist`));
}

/** Each offending field as a reader is told it: where, then what is wrong. */
export function fieldSaid({ field, message }: FieldError): Said {
  const where = field.slice(1);
  return said(`${where}：${message.zh}`, `${where} ${message.en}`);
}

/** A malformed request naming every offending field; the detail lists them for a reader. */
export function invalidFields(fields: FieldError[]): DomainError {
  return new DomainError('invalid', joined(fields.map(fieldSaid)), fields);
}

export function invalidField(field: string, message: Said): DomainError {
  return invalidFields([{ field, message }]);
}

/** Well-formed, but it names something that does not exist or does not fit (unknown measure, period outside the plan …). */
export function unprocessable(field: string, message: Said): DomainError {
  return new DomainError('unprocessable', fieldSaid({ field, message }), [{ field, message }]);
}

export function forbidden(detail: Said, fields?: FieldError[]): DomainError {
  return new DomainError('forbidden', detail, fields);
}

export function conflict(detail: Said): DomainError {
  return new DomainError('conflict', detail);
}

/** The thing changed since the caller read it. */
export function stale(detail: Said): DomainError {
  return new DomainError('stale', detail);
}

/** The change must name the version it was made against. */
export function preconditionRequired(detail: Said): DomainError {
  return new DomainError('precondition_required', detail);
}
