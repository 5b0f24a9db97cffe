import type { ROLES } from '../../db/schema.js';

export type Role = (typeof ROLES)[number];

/**
 * A collective (各县(市、区)人民政府, 中省市直各有关单位) stands for its member units, and they act, each for itself: a key
 * bound to a collective would write for all of them, lead their tasks and review their reports. None is issued.
 */
export const collectiveKeyRefusal = (collective: string) => `names a collective, ${collective}: its member units report and review, each for itself; issue the key to one of them`;

/** Who is calling: the API key behind the request, its role and, for a reporter, its unit. */
export interface Principal {
  keyId: number;
  name: string;
  role: Role;
  unitId: number | null;
}
