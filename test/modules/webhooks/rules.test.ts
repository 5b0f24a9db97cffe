/** The rules under the webhooks, without HTTP: where messages may go, when they are retried, how they are signed. */
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { afterFailure } from '../../../src/modules/webhooks/backoff.js';
import { messageId, newSecret, signature, signedHeaders } from '../../../src/modules/webhooks/signing.js';
import { subscribedTypes } from '../../../src/modules/webhooks/types.js';
import { connectLookup, destinationProblem, systemLookup, urlFormProblem } from '../../../src/modules/webhooks/url-guard.js';
import { DomainError } from '../../../src/domain/errors.js';
import { noSuchChangeType } from '../../../src/modules/changes/types.js';

const closed = { allowPrivate: false, allowedHosts: [] };
const resolvesTo = (addresses: string[]) => async () => addresses;

t.test('a host name is judged by every address it resolves to', async (t) => {
  t.equal(await destinationProblem('https://hooks.example.gov.cn/x', closed, resolvesTo(['93.184.216.34'])), undefined, 'public: fine');
  t.match(
    await destinationProblem('https://hooks.example.gov.cn/x', closed, resolvesTo(['93.184.216.34', '10.1.2.3'])),
    { zh: /内部地址 10\.1\.2\.3/ },
    'one internal address is enough to refuse',
  );
  t.match(await destinationProblem('https://hooks.example.gov.cn/x', closed, resolvesTo(['fe80::1%eth0'])), { en: /internal address/ }, 'a scoped link-local address');
  t.match(await destinationProblem('https://hooks.example.gov.cn/x', closed, resolvesTo(['64:ff9b::7f00:1'])), { en: /internal address/ }, 'NAT64 of loopback');
  t.match(await destinationProblem('https://hooks.example.gov.cn/x', closed, resolvesTo([])), { zh: /无法解析/ });
  t.match(
    await destinationProblem('https://hooks.example.gov.cn/x', closed, async () => {
      throw new Error('ENOTFOUND');
    }),
    { en: /does not resolve/ },
  );
  const local = await systemLookup('localhost');
  t.ok(local.includes('127.0.0.1') || local.includes('::1'), 'the system resolver answers');
});

t.test('IPv6: only global unicast (2000::/3) is public; IPv4-compatible ::/96 is not', async (t) => {
  const judged = async (address: string) => (await destinationProblem('https://hooks.example.gov.cn/x', closed, resolvesTo([address]))) === undefined;
  t.ok(await judged('2606:4700::1'), 'a global unicast address');
  t.ok(await judged('93.184.216.34'));
  for (const address of ['::7f00:1', '::a9fe:a9fe', '::127.0.0.1', '::a00:1', '::1:2:3:4', '100::1', '2001:db8::1', '2002:7f00:1::1', '3fff::1', 'ff02::1']) {
    t.notOk(await judged(address), address);
  }
  t.match(await destinationProblem('http://[::127.0.0.1]/x', closed), { zh: /内部地址 ::7f00:1/ }, 'the literal, as the URL normalises it');
  t.match(await destinationProblem('http://[::a9fe:a9fe]/latest/meta-data', closed), { en: /internal address ::a9fe:a9fe/ });

  const lookup = connectLookup(closed, resolvesTo(['::7f00:1']));
  const error = await new Promise<Error | null>((resolve) => lookup('hooks.example.gov.cn', { all: true }, (err) => resolve(err)));
  t.match(error?.message, /^refused: .* internal address ::7f00:1/, 'the connection lookup refuses it too');
});

t.test('the server may allow internal receivers: all of them, or named hosts', async (t) => {
  const never = async (): Promise<string[]> => {
    throw new Error('not asked');
  };
  t.equal(await destinationProblem('http://127.0.0.1:9000/x', { allowPrivate: true, allowedHosts: [] }, never), undefined);
  t.equal(await destinationProblem('http://intranet.local/x', { allowPrivate: false, allowedHosts: ['intranet.local'] }, never), undefined);
  t.equal(await destinationProblem('http://[fd00::1]/x', { allowPrivate: false, allowedHosts: ['[fd00::1]'] }, never), undefined);
  t.match(await destinationProblem('http://other.local/x', { allowPrivate: false, allowedHosts: ['intranet.local'] }, resolvesTo(['192.168.0.2'])), { zh: /内部地址/ });
  t.match(await destinationProblem('ftp://intranet.local/x', { allowPrivate: true, allowedHosts: [] }), { zh: /只接受 http 或 https/ }, 'the form is checked even so');
});

t.test('the form of a URL', async (t) => {
  t.equal(urlFormProblem('https://hooks.example.gov.cn:8443/a/b?c=d'), undefined);
  t.match(urlFormProblem('https://hooks.example.gov.cn/#'), { en: /fragment/ }, 'an empty fragment too');
  t.match(urlFormProblem('https://:pw@hooks.example.gov.cn/'), { en: /user name or password/ });
  t.match(urlFormProblem('//hooks.example.gov.cn/'), { en: /not a valid URL/ });
  t.match(urlFormProblem('https://hooks.example.gov.cn:0/x'), { zh: /端口/ }, 'port 0 reaches nothing');
  t.match(urlFormProblem('https://hooks.example.gov.cn:/x'), { en: /port/ }, 'an empty port');
  t.match(urlFormProblem('https:hooks.example.gov.cn/x'), { zh: /应以“https:\/\/”加主机名开头/ }, 'no slashes');
  t.match(urlFormProblem('https:///hooks.example.gov.cn/x'), { en: /must start with https:\/\/ and the host/ }, 'three slashes');
  t.match(urlFormProblem('http:/hooks.example.gov.cn/x'), { en: /must start with http:\/\// }, 'one slash');
  t.match(urlFormProblem('https://@hooks.example.gov.cn/x'), { zh: /用户名或密码/ }, 'an empty user name');
  t.match(urlFormProblem('https://:@hooks.example.gov.cn/x'), { zh: /用户名或密码/ });
  t.match(urlFormProblem('https://hooks.example.gov.cn\\x'), { zh: /反斜杠/ }, 'a backslash for a slash');
  t.match(urlFormProblem('https://hooks.example.gov.cn/a\tb'), { en: /not a valid URL/ }, 'a tab the parser would drop');
  t.equal(urlFormProblem('HTTPS://Hooks.Example.gov.cn:443/a'), undefined, 'upper case and the default port are only another spelling');
  t.equal(urlFormProblem('http://[2606:4700::1]:8080/a'), undefined);
});

t.test('types: kept as given, repeats dropped; unknown ones refused by index', async (t) => {
  t.same(subscribedTypes(['report', 'report.approved', 'report']), ['report', 'report.approved']);
  const error = t.throws(() => subscribedTypes(['report', 'reports', 'x.y'])) as DomainError;
  t.ok(error instanceof DomainError);
  t.same(
    error.fields?.map((f) => f.field),
    ['/body/types/1', '/body/types/2'],
  );
  t.same(error.fields?.[0]?.message, noSuchChangeType('reports'), 'the words the change feed says for an unknown type');
});

t.test('retries: exponential backoff with full jitter, never past the give-up time, then failed', async (t) => {
  const settings = { backoffBaseMs: 1_000, backoffMaxMs: 60_000, giveUpAfterMs: 3_600_000 };
  const created = new Date('2024-10-08T00:00:00Z');
  const now = new Date('2024-10-08T00:10:00Z');
  const wait = (attempts: number, random: number) => {
    const result = afterFailure(settings, created, attempts, now, () => random);
    return result.state === 'pending' ? result.next.getTime() - now.getTime() : undefined;
  };
  t.equal(wait(0, 0.5), 500, 'the first retry waits up to the base');
  t.equal(wait(3, 0.5), 4_000, 'doubling with each attempt');
  t.equal(wait(20, 0.999999), 59_999, 'up to the cap');
  t.equal(wait(3, 0), 0, 'full jitter: anywhere from no wait');
  const late = new Date(created.getTime() + settings.giveUpAfterMs - 10_000);
  const last = afterFailure(settings, created, 9, late, () => 0.99);
  t.same(last, { state: 'pending', next: new Date(created.getTime() + settings.giveUpAfterMs) }, 'the last try is at the give-up time');
  t.same(
    afterFailure(settings, created, 10, new Date(created.getTime() + settings.giveUpAfterMs), () => 0.5),
    { state: 'failed' },
  );
});

t.test('signatures are what the Standard Webhooks library makes and verifies', async (t) => {
  const secret = newSecret();
  t.match(secret, /^whsec_/);
  t.not(newSecret(), secret, 'random');
  const body = JSON.stringify({ type: 'report.approved', timestamp: '2024-10-08T02:16:30.000Z', data: { id: 1 } });
  const at = new Date();
  const id = messageId(42);
  t.equal(id, 'msg_42');
  t.equal(signature(secret, id, Math.floor(at.getTime() / 1000), body), new Webhook(secret).sign(id, at, body));
  const headers = signedHeaders(secret, id, body, at, 'test');
  t.doesNotThrow(() => new Webhook(secret).verify(body, headers));
  t.throws(() => new Webhook(secret).verify(`${body} `, headers), 'a changed body does not verify');
});
