import { CHANGE_TYPES } from '../../db/schema.js';
import { invalidFields, type FieldError } from '../../domain/errors.js';
import { said } from '../../domain/said.js';

/** `report`, `assignment` …: a family stands for every type that starts with it and a dot. */
export const CHANGE_FAMILIES = [...new Set(CHANGE_TYPES.map((type) => type.split('.')[0]!))];

const KNOWN = new Set<string>([...CHANGE_TYPES, ...CHANGE_FAMILIES]);

/**
 * The types a subscription names, checked item by item (a 400 on `/body/types/<i>` for each unknown one), without
 * repeats. Kept as given, families as families: the outbox matches a change by its type or its family.
 */
export function subscribedTypes(types: string[]): string[] {
  const unknown: FieldError[] = types.flatMap((type, index) =>
    KNOWN.has(type)
      ? []
      : [
          {
            field: `/body/types/${index}`,
            message: said(
              `没有“${type}”这种变更类型；可用的类型有 ${CHANGE_TYPES.join('、')}，或类别 ${CHANGE_FAMILIES.join('、')}`,
              `has no change type "${type}"; types are ${CHANGE_TYPES.join(', ')}, or families ${CHANGE_FAMILIES.join(', ')}`,
            ),
          },
        ],
  );
  if (unknown.length > 0) throw invalidFields(unknown);
  return [...new Set(types)];
}

/** The family of a change type: what comes before the dot. */
export const familyOf = (type: string) => type.split('.')[0]!;
