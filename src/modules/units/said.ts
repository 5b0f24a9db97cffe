import { said, type Said } from '../../domain/said.js';

/** A unit reference (id, name or alias) that names no unit. */
export const unknownUnit = (ref: string): Said => said(`没有名为“${ref}”的单位（可填编号、名称或别名）`, `names no known unit (id, name or alias): "${ref}"`);

/** `role` filters by what a unit does on a task, so it needs the unit. */
export const roleNeedsUnit = said('须同时给出 unit（角色所指的单位）', 'needs a `unit` to apply to');
