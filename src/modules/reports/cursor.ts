import { invalidField } from '../../domain/errors.js';
import type { ListCursor } from './repository.js';
import { said } from '../../domain/said.js';

/** An opaque cursor for the change order (updatedAt, id) of reports. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.updatedAt}|${cursor.id}`).toString('base64url');
}

export function decodeCursor(text: string, field: string): ListCursor {
  const [updatedAt, id] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (!updatedAt || !id || !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(updatedAt) || !/^\d{1,15}$/.test(id)) {
    throw invalidField(field, said('不是本接口返回的游标', 'is not a cursor returned by this API'));
  }
  return { updatedAt, id: Number(id) };
}
