import { Type } from '@sinclair/typebox';
import { StringEnum } from './enum.js';
import type { DateReading } from './calendar.js';
import { said } from '../domain/said.js';
import { sayPattern } from './rule-words.js';

const PRINTABLE = sayPattern('^[^\\u0000-\\u001F\\u007F]+$', said('不含控制字符的文字', 'text without control characters'));

/** Free text in a query parameter: printable only (a NUL would end the LIKE pattern early and match everything). */
export function textFilter(maxLength: number, description: string) {
  return Type.String({ minLength: 1, maxLength, pattern: PRINTABLE, description });
}

/** A `unit` filter: an id, a canonical name or an alias, resolved by the unit resolver. */
export function unitFilter(description: string) {
  return textFilter(100, `A unit id, canonical name or alias (市营商局 finds 市营商环境局). ${description}`);
}

/** A calendar year in a query parameter. */
export function yearFilter(description: string) {
  return Type.Integer({ minimum: 1900, maximum: 2100, description, examples: [2023] });
}

/** The instant a plain date stands for, as each reading takes it (`parseInstant`), in words and by example. */
const DATE_READINGS: Record<DateReading, string> = {
  'day-end': 'as that day closed: `2024-06-30` stands for `2024-06-30T23:59:59.999+08:00`, the whole day included',
  'day-start': 'from the start of that day: `2024-06-30` stands for `2024-06-30T00:00:00.000+08:00`, the whole day included',
  'after-day': 'up to the end of that day: `2024-06-30` stands for `2024-07-01T00:00:00.000+08:00`, the whole day included',
};

/**
 * An instant in a query parameter: a date-time with offset, or a plain date as a user writes it, read in
 * Asia/Shanghai as `reading` says — the route parses it with `parseInstant(value, reading)`, and the description
 * names the instant, so an integrator knows whether the day is in.
 */
export function instantFilter(description: string, reading: DateReading) {
  return Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })], {
    description: `${description} A date-time with offset (\`2024-06-30T18:00:00+08:00\`), or a date in Asia/Shanghai read ${DATE_READINGS[reading]}.`,
  });
}

/**
 * `light` and `asOf` on a catalogue list or record: the plan's text with each item's traffic light at an instant.
 * Answered live, never from the catalogue cache (see plugins/catalogue-cache.ts).
 */
export function lightFilters<const L extends readonly string[]>(lights: L) {
  return {
    light: Type.Optional(
      StringEnum(lights, { description: 'Only items with this light at `asOf` (red, yellow, green: the worst of their obligations). Adds `light` to each item.' }),
    ),
    asOf: Type.Optional(instantFilter('Judge the lights as things stood at this instant; default now. Adds `light` to each item.', 'day-end')),
  };
}
export const LIVE_PARAMETERS = ['light', 'asOf'] as const;
