import nodemailer from 'nodemailer';
import type { REMINDER_CHANNELS } from '../../db/schema.js';
import { plainText } from './text.js';

export type Channel = (typeof REMINDER_CHANNELS)[number];

/** How one attempt went: sent, or why not and whether trying again can help. */
export type SendOutcome = { ok: true } | { ok: false; error: string; permanent: boolean };

export interface OutgoingMessage {
  channel: Channel;
  recipient: string;
  subject: string;
  text: string;
}

export interface ChannelOptions {
  smtpUrl: string | null;
  smtpFrom: string | null;
  timeoutMs: number;
}

/** Robots' own "slow down" answers (WeCom 45009, DingTalk 130101): worth another try later, unlike a wrong token. */
const ROBOT_RATE_LIMITED = new Set([45009, 130101]);
const ERROR_CHARS = 500;

const cut = (text: string) => (text.length > ERROR_CHARS ? `${text.slice(0, ERROR_CHARS)}…` : text);
const failure = (error: string, permanent: boolean): SendOutcome => ({ ok: false, error: cut(error), permanent });

/** What a robot is posted: WeCom takes the markdown as `content`, DingTalk as `text` with a `title` for the notification. */
export function robotPayload(channel: 'wecom' | 'dingtalk', subject: string, text: string): unknown {
  if (channel === 'wecom') return { msgtype: 'markdown', markdown: { content: text } };
  return { msgtype: 'markdown', markdown: { title: subject, text } };
}

/**
 * One attempt bounded by a timer of our own, not AbortSignal.timeout: on Node 20 under load such signals were seen never
 * to fire (webhooks/sender.ts), and one robot or mail server that never finishes would hold the reminder tick for good
 * (deliver awaits every send) and outlast the claim. At `timeoutMs` the work is aborted and the attempt ends as `late`
 * (retried), whether or not the work heeds the signal.
 */
export async function bounded(timeoutMs: number, work: (signal: AbortSignal) => Promise<SendOutcome>, late: SendOutcome): Promise<SendOutcome> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<SendOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve(late);
      abort.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(abort.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function postToRobot(message: OutgoingMessage & { channel: 'wecom' | 'dingtalk' }, signal: AbortSignal): Promise<SendOutcome> {
  let response: Response;
  try {
    response = await fetch(message.recipient, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(robotPayload(message.channel, message.subject, message.text)),
      // A robot's address never redirects; following one would post the reminder somewhere no one checked.
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    return failure(`robot unreachable: ${String((error as Error).cause ?? error)}`, false);
  }
  // The answer's body too is read within the bound (the signal covers it).
  const body = await response.text().catch(() => '');
  if (response.status === 429 || response.status >= 500) return failure(`robot answered HTTP ${response.status}`, false);
  if (response.status !== 200) return failure(`robot answered HTTP ${response.status}`, true);
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    return failure(`robot answered HTTP 200 without JSON: ${body.slice(0, 100)}`, true);
  }
  if (answer?.errcode === 0) return { ok: true };
  const errcode = typeof answer?.errcode === 'number' ? answer.errcode : NaN;
  return failure(`robot answered errcode ${String(answer?.errcode)}: ${String(answer?.errmsg ?? '')}`, !ROBOT_RATE_LIMITED.has(errcode));
}

/** nodemailer's errors: a 5xx reply (mailbox unknown, refused) is final; connection trouble and 4xx replies are worth a retry. */
function mailFailure(error: unknown): SendOutcome {
  const { responseCode, code, message } = error as { responseCode?: number; code?: string; message?: string };
  const permanent = (responseCode !== undefined && responseCode >= 500) || code === 'EAUTH' || code === 'ENOAUTH' || code === 'ECONFIG';
  return failure(`SMTP ${code ?? 'error'}${responseCode === undefined ? '' : ` ${responseCode}`}: ${message ?? String(error)}`, permanent);
}

/**
 * Sends over the three channels: e-mail through the configured SMTP server (none configured: failed, saying so),
 * WeCom and DingTalk robots by HTTPS POST. Each attempt, from connecting to the last byte of the answer, is bounded by
 * `timeoutMs` (a timer of its own).
 */
export function createChannels(options: ChannelOptions) {
  const mailer =
    options.smtpUrl === null
      ? undefined
      : nodemailer.createTransport({
          url: options.smtpUrl,
          connectionTimeout: options.timeoutMs,
          greetingTimeout: options.timeoutMs,
          socketTimeout: options.timeoutMs,
        });

  // nodemailer's socketTimeout only bounds silence: a server that trickles its answers keeps a send going past the claim
  // (2 × timeout + 60 s), and another process would send the message again. So the whole send is bounded too; aborting
  // makes nodemailer close the connection.
  async function sendMail(message: OutgoingMessage, signal: AbortSignal): Promise<SendOutcome> {
    if (!mailer || options.smtpFrom === null) return failure('e-mail is not configured: set SMTP_URL and SMTP_FROM (未配置邮件服务器)', true);
    try {
      await mailer.sendMail({ from: options.smtpFrom, to: message.recipient, subject: message.subject, text: plainText(message.text), signal });
      return { ok: true };
    } catch (error) {
      return mailFailure(error);
    }
  }

  return {
    send(message: OutgoingMessage): Promise<SendOutcome> {
      const ms = options.timeoutMs;
      if (message.channel === 'email') return bounded(ms, (signal) => sendMail(message, signal), failure(`SMTP timeout: not sent within ${ms} ms`, false));
      const robot = { ...message, channel: message.channel };
      return bounded(ms, (signal) => postToRobot(robot, signal), failure(`robot unreachable: no answer within ${ms} ms`, false));
    },
    close(): void {
      mailer?.close();
    },
  };
}

export type Channels = ReturnType<typeof createChannels>;
