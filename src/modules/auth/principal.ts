import type { ROLES } from '../../db/schema.js';

export type Role = (typeof ROLES)[number];

/** Who is calling: the API key behind the request, its role and, for a reporter, its unit. */
export interface Principal {
  keyId: number;
  name: string;
  role: Role;
  unitId: number | null;
}
