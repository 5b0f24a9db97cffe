import type { ROLES } from '../../db/schema.js';
import { said, type Said } from '../../domain/said.js';

export type Role = (typeof ROLES)[number];

/**
 * A collective (各县(市、区)人民政府, 中省市直各有关单位) stands for its member units, and they act, each for itself: a key
 * bound to a collective would write for all of them, lead their tasks and review their reports. None is issued.
 */
export const collectiveKeyRefusal = (collective: string) =>
  said(
    `“${collective}”是统称，由其成员单位各自填报和审核；请为其中一个成员单位签发密钥`,
    `names a collective, ${collective}: its member units report and review, each for itself; issue the key to one of them`,
  );

/** The roles as a clerk names them. */
export const ROLE_WORDS: Record<Role, Said> = {
  admin: said('管理员', 'admin'),
  coordinator: said('统筹部门', 'coordinator'),
  reporter: said('填报', 'reporter'),
  reader: said('只读', 'reader'),
};

/** Who is calling: the API key behind the request, its role and, for a reporter, its unit. */
export interface Principal {
  keyId: number;
  name: string;
  role: Role;
  unitId: number | null;
}
