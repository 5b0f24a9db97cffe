import type { Deadline } from './types.js';

// "2025年底前" "2025年底前。" "2024年底" "2025年前" "2025年": all read as the end of that year (Asia/Shanghai).
const DATED = /^(\d{4})年(?:底前?|前)?。?$/;

/** Typed form of a 完成时限 cell, or undefined when the text is not a deadline. */
export function parseDeadline(text: string): Deadline | undefined {
  if (text === '持续开展') return { kind: 'ongoing', text };
  if (text === '每年年底前') return { kind: 'annual', text };
  const year = DATED.exec(text)?.[1];
  return year === undefined ? undefined : { kind: 'date', date: yearEnd(Number(year)), text };
}

export const isDeadlineCell = (text: string): boolean => parseDeadline(text) !== undefined;

export const yearEnd = (year: number): string => `${year}-12-31`;

/** The task's deadline: its latest dated measure deadline (first one on a tie), else ongoing, else annual. */
export function taskDeadline(deadlines: (Deadline | null)[]): Deadline | null {
  let latest: Deadline | null = null;
  for (const d of deadlines) {
    if (d?.kind === 'date' && (latest?.kind !== 'date' || d.date > latest.date)) latest = d;
  }
  return latest ?? deadlines.find((d) => d?.kind === 'ongoing') ?? deadlines.find((d) => d?.kind === 'annual') ?? null;
}
