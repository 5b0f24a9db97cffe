import path from 'node:path';
import type { ROBOT_KINDS } from './db/schema.js';
import { isEmailAddress } from './domain/email.js';

export interface Config {
  port: number;
  host: string;
  /** Path of the embedded SQLite file, or ':memory:' (tests). */
  databasePath: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** When true, reading the plan also needs an API key (any role). */
  requireAuthForReads: boolean;
  /** When true, `GET /metrics` needs an API key (any role); else it is public like `/health`. */
  metricsRequireKey: boolean;
  /** Origins allowed to call the API from a browser (CORS); empty means no cross-origin access. */
  corsOrigins: string[];
  /** Requests per minute allowed from one client address, and for one API key; 0 switches that limit off. */
  rateLimit: { perAddress: number; perKey: number };
  /** How long a write waits for another connection's write lock before it is answered with 503. */
  databaseBusyTimeoutMs: number;
  /** How long a client may take over its connection (see `HTTP_TIMEOUT_DEFAULTS`). */
  httpTimeouts: HttpTimeouts;
  supervision: Supervision;
  /**
   * Where clients reach the API (`https://xy.suihua.gov.cn`, a path prefix allowed), without a trailing slash: the
   * base of the links written into exports. Null: the scheme and host each request came to.
   */
  publicBaseUrl: string | null;
  reminders: Reminders;
  webhooks: WebhookSettings;
}

export type RobotKind = (typeof ROBOT_KINDS)[number];

/** Reminders (提醒 / 催办): how often the server sweeps for obligations coming due, and how it reaches people. */
export interface Reminders {
  /** Seconds between supervision sweeps inside the server; 0 switches the timer off (tests sweep on demand). */
  intervalSeconds: number;
  /**
   * A stage (due soon, overdue, a return) is reminded of only if it began this many days ago at most (1 and up), so
   * that the first sweep of a database with years of history does not flood; weekly urging goes on for obligations
   * already told they are overdue.
   */
  catchUpDays: number;
  /** The SMTP server e-mail goes through (`smtp://user:pass@host:25`, `smtps://…:465`); null: no e-mail is sent. */
  smtpUrl: string | null;
  /** The sender's address (`督办系统 <duban@suihua.gov.cn>`); required with smtpUrl. */
  smtpFrom: string | null;
  /** The origins (https://host[:port]) a group robot's URL may point at, by kind. */
  robotOrigins: Record<RobotKind, string[]>;
  /** How long one message may take to send (SMTP or robot), in milliseconds. */
  sendTimeoutMs: number;
}

export const REMINDER_DEFAULTS: Reminders = {
  intervalSeconds: 60,
  catchUpDays: 7,
  smtpUrl: null,
  smtpFrom: null,
  robotOrigins: { wecom: ['https://qyapi.weixin.qq.com'], dingtalk: ['https://oapi.dingtalk.com'] },
  sendTimeoutMs: 10_000,
};

/** How webhooks are sent (src/modules/webhooks): where to, how long to wait, how long to keep trying. */
export interface WebhookSettings {
  /** Send to internal addresses too (loopback, private, link-local …): only for a closed network you trust. */
  allowPrivate: boolean;
  /** Host names (or address literals) allowed even when they resolve to internal addresses, lower case. */
  allowedHosts: string[];
  /** How long one attempt may take, connecting to reading the status, before it counts as failed. */
  timeoutMs: number;
  /** A message not delivered this long after it was queued is given up (`failed`). */
  giveUpAfterMs: number;
  /** Messages in flight at once, per server process: a hanging receiver occupies only these slots. */
  concurrency: number;
  /** How often the dispatcher looks for messages due. */
  pollIntervalMs: number;
  /** Retries wait a random time up to min(backoffMaxMs, backoffBaseMs × 2^(attempts − 1)) (exponential backoff, full jitter). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const WEBHOOK_DEFAULTS: WebhookSettings = {
  allowPrivate: false,
  allowedHosts: [],
  timeoutMs: 10_000,
  // Three days: a receiver down over a weekend still gets its messages on Monday.
  giveUpAfterMs: 72 * 3_600_000,
  concurrency: 8,
  pollIntervalMs: 1_000,
  backoffBaseMs: 5_000,
  backoffMaxMs: 3_600_000,
};

/** The supervision calendar (督查督办): when an unsigned assignment is chased, and when a coming due date turns yellow. */
export interface Supervision {
  /** Days a unit has to sign for (签收) an assignment before it appears in the follow-ups. */
  signForDays: number;
  /** An obligation due within this many days without a completed report is yellow. */
  warningDays: number;
}

export const SUPERVISION_DEFAULTS: Supervision = { signForDays: 7, warningDays: 30 };

/** Limits on slow or silent clients, in milliseconds; none may be 0 (a silent client would hold its connection forever). */
export interface HttpTimeouts {
  /** From connecting (or the previous response) to the end of the request headers. */
  headersMs: number;
  /** From connecting to the end of the whole request, body included; then 408. */
  requestMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveMs: number;
  /** A connection on which nothing moves either way for this long is closed (a client that stops reading an answer). */
  idleMs: number;
  /** On shutdown, how long open connections may still bring a request (answered 503) before they are closed. */
  shutdownDrainMs: number;
}

/**
 * Headers within 10 s and a whole request within 60 s (a 32 MiB import at 5 Mbit/s); keep-alive 65 s, longer than the
 * 60 s idle timeout of nginx and most load balancers in front, so the proxy, not the server, closes an idle connection.
 */
export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 65_000, idleMs: 120_000, shutdownDrainMs: 2_000 };

const LOG_LEVELS: readonly Config['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${raw}"`);
  }
  return port;
}

function parseLogLevel(raw: string): Config['logLevel'] {
  const level = LOG_LEVELS.find((l) => l === raw);
  if (!level) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

function parseCount(name: string, raw: string, zeroMeans: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new ConfigError(`${name} must be a whole number (0 ${zeroMeans}), got "${raw}"`);
  return Number(raw);
}

function parseDays(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,4}$/.test(raw)) throw new ConfigError(`${name} must be a whole number of days (0–9999), got "${raw}"`);
  return Number(raw);
}

function parseMilliseconds(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new ConfigError(`${name} must be a whole number of milliseconds above 0, got "${raw}"`);
  return Number(raw);
}

function parseOrigins(raw: string): string[] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    // An origin is scheme://host[:port] with nothing after it; a wildcard would defeat the allow-list.
    if (!/^https?:\/\/[^/\s*]+$/.test(origin)) throw new ConfigError(`CORS_ORIGINS must list origins like https://host[:port], got "${origin}"`);
  }
  return origins;
}

/** An absolute http(s) URL that links can be appended to: no credentials, query or fragment. */
function parsePublicBaseUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`PUBLIC_BASE_URL must be an absolute http(s) URL like https://xy.suihua.gov.cn (a path prefix allowed; no query, fragment or credentials), got "${raw}"`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** An SMTP server: smtp:// (STARTTLS when offered) or smtps://, a host, optionally credentials, a port and options. */
function parseSmtpUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.hash !== '') {
    throw new ConfigError('SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…, got something else (not shown: it may hold a password)');
  }
  return raw;
}

/** A sender: an address, or a display name and an address in angle brackets. */
function parseSmtpFrom(raw: string | undefined, smtpUrl: string | null): string | null {
  if (raw === undefined || raw.trim() === '') {
    if (smtpUrl !== null) throw new ConfigError('SMTP_FROM is required with SMTP_URL: the address reminders are sent from');
    return null;
  }
  const named = /^([^<>"\r\n]*)<([^<>]+)>$/.exec(raw.trim());
  const address = named ? named[2]! : raw.trim();
  if (!isEmailAddress(address)) throw new ConfigError(`SMTP_FROM must be an e-mail address, optionally as "Name <address>", got "${raw}"`);
  return raw.trim();
}

function parseRobotOrigins(name: string, raw: string | undefined, fallback: string[]): string[] {
  if (raw === undefined) return fallback;
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) throw new ConfigError(`${name} must list origins like https://host[:port], got "${origin}"`);
  }
  return origins;
}

/** At least a day: a stage is seen by a sweep some time after it begins, never at the very instant. */
function parseCatchUpDays(raw: string | undefined): number {
  const days = parseDays('REMINDER_CATCH_UP_DAYS', raw, REMINDER_DEFAULTS.catchUpDays);
  if (days === 0) throw new ConfigError('REMINDER_CATCH_UP_DAYS must be at least 1: a stage is swept some time after it begins');
  return days;
}

function parseReminders(env: NodeJS.ProcessEnv): Reminders {
  const smtpUrl = parseSmtpUrl(env.SMTP_URL);
  return {
    intervalSeconds: parseCount('REMINDER_INTERVAL_SECONDS', env.REMINDER_INTERVAL_SECONDS ?? String(REMINDER_DEFAULTS.intervalSeconds), 'switches the sweep off'),
    catchUpDays: parseCatchUpDays(env.REMINDER_CATCH_UP_DAYS),
    smtpUrl,
    smtpFrom: parseSmtpFrom(env.SMTP_FROM, smtpUrl),
    robotOrigins: {
      wecom: parseRobotOrigins('WECOM_ROBOT_ORIGINS', env.WECOM_ROBOT_ORIGINS, REMINDER_DEFAULTS.robotOrigins.wecom),
      dingtalk: parseRobotOrigins('DINGTALK_ROBOT_ORIGINS', env.DINGTALK_ROBOT_ORIGINS, REMINDER_DEFAULTS.robotOrigins.dingtalk),
    },
    sendTimeoutMs: parseMilliseconds('REMINDER_SEND_TIMEOUT_MS', env.REMINDER_SEND_TIMEOUT_MS, REMINDER_DEFAULTS.sendTimeoutMs),
  };
}

/** Host names or address literals, comma-separated: `hooks.example.gov.cn,10.1.2.3,[fd00::1]`. */
function parseHosts(name: string, raw: string | undefined): string[] {
  const hosts = (raw ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== '');
  for (const host of hosts) {
    // What URL parsing would take as the host of http://<host>/ and give back unchanged (no port, path or credentials).
    const parsed = URL.canParse(`http://${host}/`) ? new URL(`http://${host}/`) : undefined;
    if (!parsed || parsed.host !== host || parsed.port !== '')
      throw new ConfigError(`${name} must list host names like hooks.example.gov.cn (no scheme, port or path), got "${host}"`);
  }
  return hosts;
}

function parseSlots(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) === 0) throw new ConfigError(`${name} must be a whole number from 1 to 999, got "${raw}"`);
  return Number(raw);
}

function parseHours(name: string, raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(raw) || Number(raw) === 0) throw new ConfigError(`${name} must be a number of hours above 0 (like 72 or 0.5), got "${raw}"`);
  return Math.round(Number(raw) * 3_600_000);
}

function parseBoolean(name: string, raw: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0' || raw === '') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Reads and validates the configuration; these variable names are a contract with deployments. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST ?? '127.0.0.1';
  if (host.trim() === '') throw new ConfigError('HOST must not be empty');
  const databasePath = env.DATABASE_PATH ?? path.join('data', 'plan-tracker.db');
  if (databasePath.trim() === '') throw new ConfigError('DATABASE_PATH must not be empty');
  const config: Config = {
    port: parsePort(env.PORT ?? '3000'),
    host,
    databasePath,
    logLevel: parseLogLevel(env.LOG_LEVEL ?? 'info'),
    requireAuthForReads: parseBoolean('REQUIRE_AUTH_FOR_READS', env.REQUIRE_AUTH_FOR_READS ?? 'false'),
    metricsRequireKey: parseBoolean('METRICS_REQUIRE_KEY', env.METRICS_REQUIRE_KEY ?? 'false'),
    corsOrigins: parseOrigins(env.CORS_ORIGINS ?? ''),
    rateLimit: {
      perAddress: parseCount('RATE_LIMIT_PER_ADDRESS', env.RATE_LIMIT_PER_ADDRESS ?? '6000', 'switches the limit off'),
      perKey: parseCount('RATE_LIMIT_PER_KEY', env.RATE_LIMIT_PER_KEY ?? '3000', 'switches the limit off'),
    },
    databaseBusyTimeoutMs: parseCount('DATABASE_BUSY_TIMEOUT_MS', env.DATABASE_BUSY_TIMEOUT_MS ?? '5000', 'fails a write at once'),
    httpTimeouts: {
      headersMs: parseMilliseconds('HTTP_HEADERS_TIMEOUT_MS', env.HTTP_HEADERS_TIMEOUT_MS, HTTP_TIMEOUT_DEFAULTS.headersMs),
      requestMs: parseMilliseconds('HTTP_REQUEST_TIMEOUT_MS', env.HTTP_REQUEST_TIMEOUT_MS, HTTP_TIMEOUT_DEFAULTS.requestMs),
      keepAliveMs: parseMilliseconds('HTTP_KEEP_ALIVE_TIMEOUT_MS', env.HTTP_KEEP_ALIVE_TIMEOUT_MS, HTTP_TIMEOUT_DEFAULTS.keepAliveMs),
      idleMs: parseMilliseconds('HTTP_IDLE_TIMEOUT_MS', env.HTTP_IDLE_TIMEOUT_MS, HTTP_TIMEOUT_DEFAULTS.idleMs),
      shutdownDrainMs: parseMilliseconds('SHUTDOWN_DRAIN_MS', env.SHUTDOWN_DRAIN_MS, HTTP_TIMEOUT_DEFAULTS.shutdownDrainMs),
    },
    supervision: {
      signForDays: parseDays('SIGN_FOR_DAYS', env.SIGN_FOR_DAYS, SUPERVISION_DEFAULTS.signForDays),
      warningDays: parseDays('WARNING_DAYS', env.WARNING_DAYS, SUPERVISION_DEFAULTS.warningDays),
    },
    publicBaseUrl: parsePublicBaseUrl(env.PUBLIC_BASE_URL),
    reminders: parseReminders(env),
    webhooks: {
      ...WEBHOOK_DEFAULTS,
      allowPrivate: parseBoolean('WEBHOOK_ALLOW_PRIVATE', env.WEBHOOK_ALLOW_PRIVATE ?? 'false'),
      allowedHosts: parseHosts('WEBHOOK_ALLOWED_HOSTS', env.WEBHOOK_ALLOWED_HOSTS),
      timeoutMs: parseMilliseconds('WEBHOOK_TIMEOUT_MS', env.WEBHOOK_TIMEOUT_MS, WEBHOOK_DEFAULTS.timeoutMs),
      giveUpAfterMs: parseHours('WEBHOOK_GIVE_UP_AFTER_HOURS', env.WEBHOOK_GIVE_UP_AFTER_HOURS, WEBHOOK_DEFAULTS.giveUpAfterMs),
      concurrency: parseSlots('WEBHOOK_CONCURRENCY', env.WEBHOOK_CONCURRENCY, WEBHOOK_DEFAULTS.concurrency),
      pollIntervalMs: parseMilliseconds('WEBHOOK_POLL_INTERVAL_MS', env.WEBHOOK_POLL_INTERVAL_MS, WEBHOOK_DEFAULTS.pollIntervalMs),
      backoffBaseMs: parseMilliseconds('WEBHOOK_BACKOFF_BASE_MS', env.WEBHOOK_BACKOFF_BASE_MS, WEBHOOK_DEFAULTS.backoffBaseMs),
      backoffMaxMs: parseMilliseconds('WEBHOOK_BACKOFF_MAX_MS', env.WEBHOOK_BACKOFF_MAX_MS, WEBHOOK_DEFAULTS.backoffMaxMs),
    },
  };
  // Node refuses a headers timeout longer than the request timeout: the headers are part of the request.
  if (config.httpTimeouts.headersMs > config.httpTimeouts.requestMs) throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  if (config.webhooks.backoffBaseMs > config.webhooks.backoffMaxMs) throw new ConfigError('WEBHOOK_BACKOFF_BASE_MS must not exceed WEBHOOK_BACKOFF_MAX_MS');
  return config;
}
