import type { RobotKind } from '../../config.js';
import { said, type Said } from '../../domain/said.js';

/** What each kind of group robot's webhook address looks like: its path and the query parameter holding its token. */
const ROBOTS: Record<RobotKind, { name: Said; path: string; token: string; tokenPattern: RegExp; example: string }> = {
  wecom: {
    name: said('企业微信群机器人', 'WeCom group robot'),
    path: '/cgi-bin/webhook/send',
    token: 'key',
    tokenPattern: /^[A-Za-z0-9-]{8,100}$/,
    example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
  },
  dingtalk: {
    name: said('钉钉群机器人', 'DingTalk group robot'),
    path: '/robot/send',
    token: 'access_token',
    tokenPattern: /^[A-Za-z0-9]{8,128}$/,
    example: 'https://oapi.dingtalk.com/robot/send?access_token=…',
  },
};

export const MAX_ROBOT_URL = 1000;

/**
 * Why `raw` is not the webhook address of a `kind` robot, or undefined when it is: https (or one of `origins`, which
 * tests point at a loopback fake) on an allowed origin, the robot's path, its token and nothing else — no credentials,
 * no fragment, no other parameter. Checked completely where it enters, so that sending never meets a bad address.
 */
export function robotUrlProblem(kind: RobotKind, raw: string, origins: string[]): Said | undefined {
  const robot = ROBOTS[kind];
  const expected = said(`应为${robot.name.zh}的地址，形如 ${robot.example}`, `must be a ${robot.name.en}'s address, like ${robot.example}`);
  const url = raw.length <= MAX_ROBOT_URL && URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url) return said(`不是有效的网址；${expected.zh}`, `is not a valid URL; it ${expected.en}`);
  if (url.protocol !== 'https:' && !origins.includes(url.origin)) return said(`必须使用 https；${expected.zh}`, `must use https; it ${expected.en}`);
  if (!origins.includes(url.origin)) {
    return said(`主机 ${url.host} 不是${robot.name.zh}的主机（允许：${origins.join('、')}）`, `has host ${url.host}, not a ${robot.name.en}'s (allowed: ${origins.join(', ')})`);
  }
  const token = url.searchParams.get(robot.token);
  const onlyToken = [...url.searchParams.keys()].every((name) => name === robot.token) && url.searchParams.getAll(robot.token).length === 1;
  if (url.username !== '' || url.password !== '' || url.hash !== '' || url.pathname !== robot.path || !onlyToken || token === null || !robot.tokenPattern.test(token)) {
    return expected;
  }
  return undefined;
}

/** A robot's address with its token hidden but for the last four characters: the token is what lets anyone post to the group. */
export function maskedRobotUrl(kind: RobotKind, raw: string): string {
  const url = new URL(raw);
  const name = ROBOTS[kind].token;
  const token = url.searchParams.get(name) ?? '';
  return `${url.origin}${url.pathname}?${name}=****${token.slice(-4)}`;
}

/**
 * A robot's address as it is stored and compared: as the URL standard writes it (host lower-cased, default port
 * dropped, dot segments resolved), so one group's robot entered two ways is recognised as one. Only for an address
 * `robotUrlProblem` passed.
 */
export const normalisedRobotUrl = (raw: string): string => new URL(raw).href;
