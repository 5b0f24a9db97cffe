import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { FastifyServerOptions } from 'fastify';
import { isCalendarDate, isInstant } from '../http/calendar.js';
import { invalidFields } from '../domain/errors.js';
import { said } from '../domain/said.js';
import { isText, TEXT_FORMAT } from '../http/text.js';

/**
 * How request values are checked. Ajv's own `date-time` passes 23:59:60 (a leap second `Date` cannot hold) and its
 * numbers include Infinity (`limit=1e400`); a value that passes here must never throw later, so both are
 * tightened: formats are real instants and dates (src/http/calendar.ts), numbers are finite. Free text is text the
 * exports can hold (src/http/text.ts).
 */
export const ajvOptions: FastifyServerOptions['ajv'] = {
  customOptions: { removeAdditional: false, strictNumbers: true },
  onCreate: (ajv) => {
    ajv.addFormat('date-time', { type: 'string', validate: isInstant });
    ajv.addFormat('date', { type: 'string', validate: isCalendarDate });
    ajv.addFormat(TEXT_FORMAT, { type: 'string', validate: isText });
  },
};

/** An integer in a URL as people write one: decimal digits, at most 16 (ids stay exact, below 2^53). */
const DECIMAL_INTEGER = /^-?\d{1,16}$/;
const INTEGER_MESSAGE = said(
  '应为用十进制数字书写的整数（不带符号、指数、小数、空格或十六进制）',
  'must be a whole number in decimal digits (no sign, exponent, fraction, spaces or hex)',
);

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[] };

function isIntegerSchema(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  if (schema.type === 'integer') return true;
  return isIntegerSchema(schema.items) || (schema.anyOf ?? []).some(isIntegerSchema);
}

function integerFields(schema: unknown): string[] {
  const properties = (schema as JsonSchema | undefined)?.properties ?? {};
  return Object.keys(properties).filter((name) => isIntegerSchema(properties[name]));
}

/**
 * Ajv coerces a query or path value into a number with `+value`, so `/tasks/1e1` would be task 10, `0x10` 16 and
 * ` 4`, `+4` or `4.0` 4. Integers in the URL are checked as written, before Ajv coerces them.
 */
export function registerStrictUrlIntegers(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const parts = [
      { part: 'querystring', names: integerFields(route.schema?.querystring), values: (request: FastifyRequest) => request.query },
      { part: 'params', names: integerFields(route.schema?.params), values: (request: FastifyRequest) => request.params },
    ].filter(({ names }) => names.length > 0);
    if (parts.length === 0) return;
    const check = async (request: FastifyRequest) => {
      const errors = parts.flatMap(({ part, names, values }) => {
        const given = values(request) as Record<string, unknown>;
        return names
          .filter((name) => given[name] !== undefined && [given[name]].flat().some((value) => !DECIMAL_INTEGER.test(String(value))))
          .map((name) => ({ field: `/${part}/${name}`, message: INTEGER_MESSAGE }));
      });
      if (errors.length > 0) throw invalidFields(errors);
    };
    route.preValidation = [...[route.preValidation ?? []].flat(), check];
  });
}
