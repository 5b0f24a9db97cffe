import { said } from '../../domain/said.js';
import { sayPattern } from '../../http/rule-words.js';
/** A reporting period: a year (2024), a half (2024-H1), a quarter (2024-Q3) or a month (2024-07). */
export const PERIOD_PATTERN = sayPattern(
  '^[0-9]{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$',
  said('报告期：年（2024）、半年（2024-H1）、季度（2024-Q3）或月（2024-06）', 'a period: a year (2024), a half (2024-H1), a quarter (2024-Q3) or a month (2024-06)'),
);

export interface Period {
  text: string;
  year: number;
  /** First and last day, ISO dates. */
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Parses a period that already matches PERIOD_PATTERN; returns undefined for anything else. */
export function parsePeriod(text: string): Period | undefined {
  const match = /^(\d{4})(?:-H([12])|-Q([1-4])|-(0[1-9]|1[0-2]))?$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const [half, quarter, month] = [match[2], match[3], match[4]].map((n) => (n === undefined ? undefined : Number(n)));
  const [firstMonth, lastMonth] = half
    ? [(half - 1) * 6 + 1, half * 6]
    : quarter
      ? [(quarter - 1) * 3 + 1, quarter * 3]
      : month
        ? [month, month]
        : [1, 12];
  return {
    text,
    year,
    start: `${year}-${pad(firstMonth)}-01`,
    end: `${year}-${pad(lastMonth)}-${pad(lastDayOfMonth(year, lastMonth))}`,
  };
}
