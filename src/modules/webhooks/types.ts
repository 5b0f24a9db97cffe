import { CHANGE_TYPES } from '../../db/schema.js';
import { invalidFields, type FieldError } from '../../domain/errors.js';
import { CHANGE_FAMILIES, noSuchChangeType } from '../changes/types.js';

const KNOWN = new Set<string>([...CHANGE_TYPES, ...CHANGE_FAMILIES]);

/**
 * The types a subscription names, checked item by item (a 400 on `/body/types/<i>` for each unknown one), without
 * repeats. Kept as given, families as families: the outbox matches a change by its type or its family.
 */
export function subscribedTypes(types: string[]): string[] {
  const unknown: FieldError[] = types.flatMap((type, index) => (KNOWN.has(type) ? [] : [{ field: `/body/types/${index}`, message: noSuchChangeType(type) }]));
  if (unknown.length > 0) throw invalidFields(unknown);
  return [...new Set(types)];
}
