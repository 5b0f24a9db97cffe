import type { Page } from './pagination.js';

/**
 * A list filtered by something computed at request time (a light at an instant) rather than stored: every match of
 * the other filters is read, the computed filter applied, and the page cut from what is left.
 */
export function filterAll<T>(readPage: (page: Page) => { items: T[]; total: number }, keep: (item: T) => boolean, page: Page): { items: T[]; total: number } {
  const matching: T[] = [];
  for (let offset = 0; ; offset += 500) {
    const { items, total } = readPage({ limit: 500, offset });
    matching.push(...items.filter(keep));
    if (items.length === 0 || offset + items.length >= total) break;
  }
  return { items: matching.slice(page.offset, page.offset + page.limit), total: matching.length };
}
