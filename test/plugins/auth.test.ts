/**
 * The Authorization header as src/plugins/auth.ts reads it: `Bearer <token>` exactly (the scheme in any case,
 * RFC 9110 §11.1), anything else refused with 401 before the route runs; a key of the wrong role refused with 403.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const reader = issueKey(databasePath, 'reader');
const current = (authorization?: string) => app.inject({ url: '/api/v1/api-keys/current', headers: authorization === undefined ? {} : { authorization } });

t.test('the scheme is case-insensitive; the token is not', async (t) => {
  for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
    const res = await current(`${scheme} ${reader.token}`);
    t.equal(res.statusCode, 200, scheme);
    t.equal(res.json().keyId, reader.id, `${scheme}: the key is recognised`);
  }
  t.equal((await current(`Bearer ${reader.token.toUpperCase()}`)).statusCode, 401, 'the token in another case is another token');
});

t.test('a valid token inside anything but `Bearer <token>` is refused', async (t) => {
  for (const header of [
    `XBearer ${reader.token}`,
    `Token Bearer ${reader.token}`,
    `Bearer ${reader.token} extra`,
    `Bearer ${reader.token}, Bearer ${reader.token}`,
    `Bearer  ${reader.token}`,
    `Bearer:${reader.token}`,
  ]) {
    const res = await current(header);
    t.equal(res.statusCode, 401, header.replace(reader.token, '<token>'));
    t.match(res.json(), { status: 401, detail: /不存在、已吊销或已过期，或请求头不是 `Bearer <密钥>` 的形式/ });
  }
});

t.test('401 without a key, 403 with a key of another role, each saying why', async (t) => {
  const anonymous = await current();
  t.equal(anonymous.statusCode, 401);
  t.equal(anonymous.headers['www-authenticate'], 'Bearer');
  t.match(anonymous.json().detail, /此操作需要 API 密钥/);

  const audit = await app.inject({ url: '/api/v1/audit-events', headers: reader.headers });
  t.equal(audit.statusCode, 403);
  t.match(audit.json().detail, /此操作需要以下角色之一：管理员、统筹部门；密钥“reader”是只读密钥/);
});
