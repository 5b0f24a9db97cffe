import net from 'node:net';
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

/** Sends bytes on a fresh TCP connection and resolves with everything the server answered before closing it. */
export function sendRaw(port: number, request: string | Buffer): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
