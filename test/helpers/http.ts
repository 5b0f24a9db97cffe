import type { FastifyInstance } from 'fastify';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** GET helpers over app.inject(): `get` fails loudly on a non-200, `all` follows limit/offset to the end. */
export function readClient(app: FastifyInstance) {
  async function get<T>(url: string): Promise<T> {
    const res = await app.inject(url);
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
    return res.json() as T;
  }
  async function all<T>(url: string): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await get<Page<T>>(`${url}${url.includes('?') ? '&' : '?'}limit=500&offset=${offset}`);
      items.push(...page.items);
      if (items.length >= page.total) return items;
    }
  }
  return { get, all };
}
