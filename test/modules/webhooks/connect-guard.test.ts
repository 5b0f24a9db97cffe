/**
 * The last word on where a webhook goes is the lookup its socket connects through: a name checked public before the
 * attempt that resolves inside the network when the connection is made (DNS rebinding) gets no request.
 */
import t from 'tap';
import { Agent, fetch } from 'undici';
import { connectLookup, type AddressPolicy } from '../../../src/modules/webhooks/url-guard.js';
import { startReceiver } from '../../helpers/webhook-receiver.js';

const receiver = await startReceiver(t, () => 204);
const url = `http://hooks.example.gov.cn:${receiver.port}/in`;
/** DNS as a rebinding attacker runs it: the name now points at this machine. */
const rebound = async () => ['127.0.0.1'];

async function post(policy: AddressPolicy) {
  const connections = new Agent({ connect: { lookup: connectLookup(policy, rebound) } });
  t.teardown(() => connections.destroy());
  return fetch(url, { method: 'POST', body: '{}', dispatcher: connections }).then(
    (response) => ({ status: response.status, error: null }),
    (error: Error) => ({ status: null, error: (error.cause as Error).message }),
  );
}

t.test('a host the policy allows connects to the address its name resolves to', async (t) => {
  t.same(await post({ allowPrivate: false, allowedHosts: ['hooks.example.gov.cn'] }), { status: 204, error: null });
  t.equal(receiver.received.length, 1, 'so the lookup decides where the socket goes');
});

t.test('any other host that resolves inside the network is refused when the socket connects', async (t) => {
  const before = receiver.received.length;
  const refused = await post({ allowPrivate: false, allowedHosts: [] });
  t.equal(refused.status, null);
  t.match(refused.error, /^refused: "hooks\.example\.gov\.cn" resolves to the internal address 127\.0\.0\.1/);
  t.equal(receiver.received.length, before, 'no request arrived');
});

t.test('a name that does not resolve is refused too', async (t) => {
  const connections = new Agent({ connect: { lookup: connectLookup({ allowPrivate: false, allowedHosts: [] }, async () => []) } });
  t.teardown(() => connections.destroy());
  const error = await fetch(url, { dispatcher: connections }).catch((e: Error) => e);
  t.match((error as Error & { cause: Error }).cause.message, /does not resolve/);
});
