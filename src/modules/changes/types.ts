import { CHANGE_TYPES } from '../../db/schema.js';
import { said } from '../../domain/said.js';

/** The family of a change type: what comes before the dot (`report` for `report.submitted`). */
export const familyOf = (type: string) => type.split('.')[0]!;

/** `report`, `assignment` …: a family stands for every type that starts with it and a dot. */
export const CHANGE_FAMILIES = [...new Set(CHANGE_TYPES.map(familyOf))];

/** Why `item` names no change type, listing the types and families there are (the feed's filter and webhooks say the same). */
export const noSuchChangeType = (item: string) =>
  said(
    `没有“${item}”这种变更类型；可用的类型有 ${CHANGE_TYPES.join('、')}，或类别 ${CHANGE_FAMILIES.join('、')}`,
    `has no change type "${item}"; types are ${CHANGE_TYPES.join(', ')}, or families ${CHANGE_FAMILIES.join(', ')}`,
  );
