import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { ContactService } from './contacts.js';
import { ContactListSchema, ContactParams, ContactSchema, NewContactBody, RemovedContactSchema } from './schemas.js';

const tags = ['reminders'];
const location = { location: Type.String({ description: 'The unit’s contacts: /api/v1/units/{id}/contacts.' }) };
const security = [{ bearerAuth: [] }];
/** Contacts are personal data: kept by admins and coordinators, and by a unit's own reporters for their unit. */
const KEEPERS = allow(['admin', 'coordinator', 'reporter']);
const WHO = 'Admin or coordinator, or a reporter of the unit itself; contacts are personal data, never in the change feed, and readers see none.';

/** A unit's contacts: who is told, by e-mail or through the office's group robot, of its obligations coming due. */
export function registerContactRoutes(app: ApiInstance, contacts: ContactService): void {
  app.get(
    '/units/:id/contacts',
    {
      onRequest: KEEPERS,
      schema: {
        tags,
        operationId: 'listUnitContacts',
        summary: 'A unit’s contacts for reminders',
        description: `Who in the unit is told when an obligation comes due, is overdue, stays overdue, or a report is returned. ${WHO}`,
        security,
        params: IdParams,
        response: { 200: ContactListSchema, ...problemResponses(400, 403, 404) },
      },
    },
    async (request) => ({ items: contacts.list(callerOf(request), request.params.id) }),
  );

  app.post(
    '/units/:id/contacts',
    {
      onRequest: KEEPERS,
      schema: {
        tags,
        operationId: 'addUnitContact',
        summary: 'Add a contact to a unit',
        description: `A person or office told of the unit’s reminders: by \`email\`, through a group \`robot\` (企业微信 \`wecom\` or 钉钉 \`dingtalk\`, its webhook address on https://qyapi.weixin.qq.com or https://oapi.dingtalk.com), or both; \`phone\` is for people to call. The address and robot URL are checked completely here (400 naming the field). A blank \`name\` is refused (400). Posting a contact the unit already has (same name, addresses and phone; an e-mail address compared regardless of case, a robot address as the URL standard writes it, which is how it is stored) answers it with 200 instead of adding a twin, so a retry is safe. A unit has at most 20 contacts (409 beyond). Not for a collective (its members owe the work) or a retired unit (422). ${WHO}`,
        security,
        params: IdParams,
        body: NewContactBody,
        response: {
          201: { ...ContactSchema, headers: location },
          200: { ...ContactSchema, description: 'The unit already has this very contact (a retried request): it is answered, not added twice.', headers: location },
          ...problemResponses(400, 403, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { created, contact } = contacts.add(callerOf(request), request.id, request.params.id, request.body);
      return reply
        .code(created ? 201 : 200)
        .header('location', `/api/v1/units/${request.params.id}/contacts`)
        .send(contact);
    },
  );

  app.delete(
    '/units/:id/contacts/:contactId',
    {
      onRequest: KEEPERS,
      schema: {
        tags,
        operationId: 'removeUnitContact',
        summary: 'Remove a contact from a unit',
        description: `No new reminder reaches the contact, and messages not yet sent to it are not sent; what was sent stays on record (GET /api/v1/reminders). A contact already removed, or of another unit, is a 404. ${WHO}`,
        security,
        params: ContactParams,
        response: { 200: RemovedContactSchema, ...problemResponses(400, 403, 404, 413, 415) },
      },
    },
    async (request) => contacts.remove(callerOf(request), request.id, request.params.id, request.params.contactId),
  );
}
