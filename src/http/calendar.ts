/**
 * The plan's calendar: days and years in Asia/Shanghai (UTC+8 all year; China has kept no daylight saving time since
 * 1991), and the instants and dates clients send. One place, so every route reads `2024-06-30` the same way.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Years an instant or date sent by a client may fall in: wide enough for any plan, narrow enough for `Date`. */
export const CALENDAR_YEARS = { min: 1900, max: 2100 } as const;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time: a date, `T`, a clock time with optional fraction, and `Z` or an offset (±hh:mm).
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A real calendar date `YYYY-MM-DD` within `CALENDAR_YEARS` (`Date.parse` would read 2024-02-30 as 1 March). */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  return year >= CALENDAR_YEARS.min && year <= CALENDAR_YEARS.max && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * A real instant: an RFC 3339 date-time whose date exists, whose clock reads 00:00:00–23:59:59 and whose offset is at
 * most ±23:59. A leap second (23:59:60) is refused: JavaScript's `Date` cannot hold one.
 */
export function isInstant(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match || !isCalendarDate(match[1]!)) return false;
  const [hours, minutes, seconds] = match.slice(2, 5).map(Number) as [number, number, number];
  const offsetHours = Number(match[5] ?? 0);
  const offsetMinutes = Number(match[6] ?? 0);
  return hours <= 23 && minutes <= 59 && seconds <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}

/** The calendar date at `at` in Asia/Shanghai, where the plan's deadlines fall. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The calendar year at `at` in Asia/Shanghai. */
export function shanghaiYear(at: Date): number {
  return Number(shanghaiDate(at).slice(0, 4));
}

/** The first instant of `year` in Asia/Shanghai, in milliseconds since the epoch. */
export function startOfShanghaiYear(year: number): number {
  return Date.UTC(year, 0, 1) - SHANGHAI_OFFSET_MS;
}

/** The first instant after `date` (`YYYY-MM-DD`) ends in Asia/Shanghai, in milliseconds since the epoch. */
export function endOfShanghaiDay(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`) + 24 * 60 * 60 * 1000;
}

/**
 * How a plain date stands for an instant in a filter: the start of that day in Asia/Shanghai for a lower bound
 * (`since`), its last millisecond for "as it stood then" (`asOf=2024-06-30`: as the 30th closed), and the first
 * instant after it for an exclusive upper bound (`until`: before the day is over).
 */
export type DateReading = 'day-start' | 'day-end' | 'after-day';

/** A client's instant filter as a `Date`: a date-time is that instant, a plain date is read as `reading` says. */
export function parseInstant(value: string, reading: DateReading): Date {
  if (!DATE.test(value)) return new Date(value);
  const after = endOfShanghaiDay(value);
  if (reading === 'after-day') return new Date(after);
  return new Date(reading === 'day-end' ? after - 1 : after - 24 * 60 * 60 * 1000);
}
