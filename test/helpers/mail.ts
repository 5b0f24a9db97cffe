import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Test } from 'tap';

/** A message as the SMTP server received it, its subject and text decoded. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=), as nodemailer writes non-ASCII headers. */
function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, charset: string, encoding: string, text: string) => {
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qBytes(text.replace(/_/g, ' '));
    return new TextDecoder(charset).decode(bytes);
  });
}

function qBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

/** A single-part text message: headers unfolded, the body decoded by its Content-Transfer-Encoding. */
export function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const bytes = encoding === 'base64' ? Buffer.from(body, 'base64') : encoding === 'quoted-printable' ? qBytes(body.replace(/=\r\n/g, '')) : Buffer.from(body, 'utf8');
  return { headers, text: bytes.toString('utf8').replace(/\r\n/g, '\n') };
}

/**
 * A real SMTP server on loopback that keeps what it receives; `refuse` makes it answer 421 (service not available)
 * to every connection, as a mail server being restarted does; it answers 550 to a recipient in `unknownMailboxes`.
 */
export async function startMailServer(t: Test, credentials = { user: 'reminders', pass: 's3cret' }) {
  const received: ReceivedMail[] = [];
  const state = { refuse: false, unknownMailboxes: new Set<string>() };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onConnect(_session, callback) {
      if (!state.refuse) return callback();
      return callback(Object.assign(new Error('service not available'), { responseCode: 421 }));
    },
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      return callback(new Error('invalid credentials'));
    },
    onRcptTo(address, _session, callback) {
      if (!state.unknownMailboxes.has(address.address)) return callback();
      return callback(Object.assign(new Error(`<${address.address}>: mailbox unavailable`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { headers, text } = parseMail(Buffer.concat(chunks).toString('latin1'));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: decodeWords(headers.get('subject') ?? ''),
          text,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { received, state, url: `smtp://${credentials.user}:${credentials.pass}@127.0.0.1:${port}`, port };
}

/**
 * An SMTP server that greets at once and then answers EHLO one continuation line ("250-…") every `everyMs`, never
 * the last one: the connection is never silent, so an inactivity timeout (nodemailer's socketTimeout) never fires.
 * `connections` counts who came; `open` how many are still connected.
 */
export async function startTricklingMailServer(t: Test, everyMs = 50) {
  const state = { connections: 0, open: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    state.connections++;
    state.open++;
    sockets.add(socket);
    let trickle: NodeJS.Timeout | undefined;
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(trickle);
      sockets.delete(socket);
      state.open--;
    });
    socket.write('220 slow.suihua.gov.cn ESMTP\r\n');
    socket.once('data', () => {
      trickle = setInterval(() => socket.write('250-slow.suihua.gov.cn still thinking\r\n'), everyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { state, url: `smtp://127.0.0.1:${port}` };
}
