import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

export interface RobotPost {
  path: string;
  token: string | null;
  body: { msgtype: string; markdown: { content?: string; title?: string; text?: string } };
}

/**
 * A WeCom / DingTalk group robot on loopback: keeps every post and answers `{"errcode":0,"errmsg":"ok"}`, or what
 * `answers` gives for a token: another errcode (93000: the robot's key is invalid), or an HTTP status and body.
 */
export async function startRobot(t: Test, answers: Record<string, { errcode: number; errmsg: string } | { status: number; body: string }> = {}) {
  const posts: RobotPost[] = [];
  // While held, answers wait: a test sees a send in flight (claimed, not yet recorded) and what others do meanwhile.
  let held: (() => void)[] | undefined;
  const arrivals: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://robot');
      const token = url.searchParams.get('key') ?? url.searchParams.get('access_token');
      posts.push({ path: url.pathname, token, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RobotPost['body'] });
      const answer = () => {
        const given = (token !== null && answers[token]) || { errcode: 0, errmsg: 'ok' };
        if ('status' in given) return response.writeHead(given.status).end(given.body);
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(given));
      };
      if (held) held.push(answer);
      else answer();
      arrivals.filter((a) => posts.length >= a.count).forEach((a) => a.resolve());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // undici keeps connections alive; close would wait for them
      }),
  );
  return {
    posts,
    origin,
    wecom: (key: string) => `${origin}/cgi-bin/webhook/send?key=${key}`,
    dingtalk: (token: string) => `${origin}/robot/send?access_token=${token}`,
    /** Holds every answer from now until `release`. */
    hold() {
      held = [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      waiting.forEach((answer) => answer());
    },
    /** Resolves once `count` posts in all have arrived. */
    arrived: (count: number) => new Promise<void>((resolve) => (posts.length >= count ? resolve() : arrivals.push({ count, resolve }))),
  };
}
