import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('defaults are the documented contract', async (t) => {
  t.same(loadConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databasePath: 'data/plan-tracker.db',
    logLevel: 'info',
    requireAuthForReads: false,
    metricsRequireKey: false,
    corsOrigins: [],
    rateLimit: { perAddress: 6000, perKey: 3000 },
    databaseBusyTimeoutMs: 5000,
    httpTimeouts: { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 65_000, idleMs: 120_000, shutdownDrainMs: 2_000 },
    supervision: { signForDays: 7, warningDays: 30 },
    publicBaseUrl: null,
    reminders: {
      intervalSeconds: 60,
      catchUpDays: 7,
      smtpUrl: null,
      smtpFrom: null,
      robotOrigins: { wecom: ['https://qyapi.weixin.qq.com'], dingtalk: ['https://oapi.dingtalk.com'] },
      sendTimeoutMs: 10_000,
    },
    webhooks: {
      allowPrivate: false,
      allowedHosts: [],
      timeoutMs: 10_000,
      giveUpAfterMs: 72 * 3_600_000,
      concurrency: 8,
      pollIntervalMs: 1_000,
      backoffBaseMs: 5_000,
      backoffMaxMs: 3_600_000,
    },
  });
});

t.test('values from the environment', async (t) => {
  t.same(
    loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_PATH: '/var/lib/plan-tracker/db.sqlite',
      LOG_LEVEL: 'warn',
      REQUIRE_AUTH_FOR_READS: 'true',
      METRICS_REQUIRE_KEY: 'true',
      CORS_ORIGINS: 'https://xy.suihua.gov.cn, http://localhost:5173',
      RATE_LIMIT_PER_ADDRESS: '0',
      RATE_LIMIT_PER_KEY: '120',
      DATABASE_BUSY_TIMEOUT_MS: '250',
      HTTP_HEADERS_TIMEOUT_MS: '5000',
      HTTP_REQUEST_TIMEOUT_MS: '30000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
      HTTP_IDLE_TIMEOUT_MS: '90000',
      SHUTDOWN_DRAIN_MS: '1',
      SIGN_FOR_DAYS: '3',
      WARNING_DAYS: '0',
      PUBLIC_BASE_URL: 'https://xy.suihua.gov.cn/plan-tracker/',
      REMINDER_INTERVAL_SECONDS: '0',
      REMINDER_CATCH_UP_DAYS: '14',
      SMTP_URL: 'smtps://duban:p%40ss@mail.suihua.gov.cn:465',
      SMTP_FROM: '绥化市营商环境局督办 <duban@suihua.gov.cn>',
      WECOM_ROBOT_ORIGINS: 'https://qyapi.weixin.qq.com, https://wecom-proxy.suihua.gov.cn:8443',
      DINGTALK_ROBOT_ORIGINS: '',
      REMINDER_SEND_TIMEOUT_MS: '3000',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_ALLOWED_HOSTS: 'Hooks.Example.gov.cn, 10.1.2.3,[fd00::1]',
      WEBHOOK_TIMEOUT_MS: '3000',
      WEBHOOK_GIVE_UP_AFTER_HOURS: '0.5',
      WEBHOOK_CONCURRENCY: '2',
      WEBHOOK_POLL_INTERVAL_MS: '250',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '60000',
    }),
    {
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/var/lib/plan-tracker/db.sqlite',
      logLevel: 'warn',
      requireAuthForReads: true,
      metricsRequireKey: true,
      corsOrigins: ['https://xy.suihua.gov.cn', 'http://localhost:5173'],
      rateLimit: { perAddress: 0, perKey: 120 },
      databaseBusyTimeoutMs: 250,
      httpTimeouts: { headersMs: 5000, requestMs: 30_000, keepAliveMs: 5000, idleMs: 90_000, shutdownDrainMs: 1 },
      supervision: { signForDays: 3, warningDays: 0 },
      publicBaseUrl: 'https://xy.suihua.gov.cn/plan-tracker',
      reminders: {
        intervalSeconds: 0,
        catchUpDays: 14,
        smtpUrl: 'smtps://duban:p%40ss@mail.suihua.gov.cn:465',
        smtpFrom: '绥化市营商环境局督办 <duban@suihua.gov.cn>',
        robotOrigins: { wecom: ['https://qyapi.weixin.qq.com', 'https://wecom-proxy.suihua.gov.cn:8443'], dingtalk: [] },
        sendTimeoutMs: 3000,
      },
      webhooks: {
        allowPrivate: true,
        allowedHosts: ['hooks.example.gov.cn', '10.1.2.3', '[fd00::1]'],
        timeoutMs: 3000,
        giveUpAfterMs: 1_800_000,
        concurrency: 2,
        pollIntervalMs: 250,
        backoffBaseMs: 100,
        backoffMaxMs: 60_000,
      },
    },
  );
});

t.test('PUBLIC_BASE_URL: the base exported links are appended to, without a trailing slash; empty means none', async (t) => {
  t.equal(loadConfig({ PUBLIC_BASE_URL: 'http://10.0.0.5:3000' }).publicBaseUrl, 'http://10.0.0.5:3000');
  t.equal(loadConfig({ PUBLIC_BASE_URL: 'HTTPS://XY.Suihua.gov.cn/' }).publicBaseUrl, 'https://xy.suihua.gov.cn', 'scheme and host as a URL writes them');
  t.equal(loadConfig({ PUBLIC_BASE_URL: '' }).publicBaseUrl, null);
});

t.test('a bad value is refused with a message naming the variable', async (t) => {
  for (const [env, name] of [
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: '-1' }, /PORT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ HOST: ' ' }, /HOST/],
    [{ DATABASE_PATH: '' }, /DATABASE_PATH/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '0' }, /HTTP_REQUEST_TIMEOUT_MS/],
    [{ HTTP_IDLE_TIMEOUT_MS: '1e3' }, /HTTP_IDLE_TIMEOUT_MS/],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: '-5' }, /HTTP_KEEP_ALIVE_TIMEOUT_MS/],
    [{ SIGN_FOR_DAYS: 'a week' }, /SIGN_FOR_DAYS/],
    [{ WARNING_DAYS: '-1' }, /WARNING_DAYS/],
    [{ WARNING_DAYS: '30.5' }, /WARNING_DAYS/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '70000' }, /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/],
    [{ REQUIRE_AUTH_FOR_READS: 'yes please' }, /REQUIRE_AUTH_FOR_READS/],
    [{ CORS_ORIGINS: '*' }, /CORS_ORIGINS/],
    [{ CORS_ORIGINS: 'https://a.example/path' }, /CORS_ORIGINS/],
    [{ RATE_LIMIT_PER_ADDRESS: 'many' }, /RATE_LIMIT_PER_ADDRESS/],
    [{ RATE_LIMIT_PER_KEY: '-5' }, /RATE_LIMIT_PER_KEY/],
    [{ DATABASE_BUSY_TIMEOUT_MS: '5s' }, /DATABASE_BUSY_TIMEOUT_MS/],
    [{ PUBLIC_BASE_URL: 'xy.suihua.gov.cn' }, /PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: '/plan-tracker' }, /PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: 'ftp://xy.suihua.gov.cn' }, /PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: 'https://xy.suihua.gov.cn/?a=1' }, /PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: 'https://xy.suihua.gov.cn/#top' }, /PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: 'https://user:secret@xy.suihua.gov.cn' }, /PUBLIC_BASE_URL/],
    [{ REMINDER_INTERVAL_SECONDS: 'every minute' }, /REMINDER_INTERVAL_SECONDS/],
    [{ REMINDER_CATCH_UP_DAYS: '-7' }, /REMINDER_CATCH_UP_DAYS/],
    [{ REMINDER_CATCH_UP_DAYS: '0' }, /REMINDER_CATCH_UP_DAYS must be at least 1/],
    [{ SMTP_URL: 'http://mail.suihua.gov.cn', SMTP_FROM: 'duban@suihua.gov.cn' }, /SMTP_URL/],
    [{ SMTP_URL: 'smtp://mail.suihua.gov.cn/inbox', SMTP_FROM: 'duban@suihua.gov.cn' }, /SMTP_URL/],
    [{ SMTP_URL: 'smtp://mail.suihua.gov.cn' }, /SMTP_FROM is required/],
    [{ SMTP_URL: 'smtp://mail.suihua.gov.cn', SMTP_FROM: '督办 <not an address>' }, /SMTP_FROM/],
    [{ WECOM_ROBOT_ORIGINS: 'http://qyapi.weixin.qq.com' }, /WECOM_ROBOT_ORIGINS/],
    [{ DINGTALK_ROBOT_ORIGINS: 'https://oapi.dingtalk.com/robot' }, /DINGTALK_ROBOT_ORIGINS/],
    [{ REMINDER_SEND_TIMEOUT_MS: '0' }, /REMINDER_SEND_TIMEOUT_MS/],
    [{ WEBHOOK_ALLOW_PRIVATE: 'sometimes' }, /WEBHOOK_ALLOW_PRIVATE/],
    [{ WEBHOOK_ALLOWED_HOSTS: 'https://hooks.example.gov.cn' }, /WEBHOOK_ALLOWED_HOSTS/],
    [{ WEBHOOK_ALLOWED_HOSTS: 'hooks.example.gov.cn:8443' }, /WEBHOOK_ALLOWED_HOSTS/],
    [{ WEBHOOK_ALLOWED_HOSTS: 'a.gov.cn,hooks/path' }, /WEBHOOK_ALLOWED_HOSTS/],
    [{ WEBHOOK_TIMEOUT_MS: '0' }, /WEBHOOK_TIMEOUT_MS/],
    [{ WEBHOOK_GIVE_UP_AFTER_HOURS: '0' }, /WEBHOOK_GIVE_UP_AFTER_HOURS/],
    [{ WEBHOOK_GIVE_UP_AFTER_HOURS: '3 days' }, /WEBHOOK_GIVE_UP_AFTER_HOURS/],
    [{ WEBHOOK_CONCURRENCY: '0' }, /WEBHOOK_CONCURRENCY/],
    [{ WEBHOOK_CONCURRENCY: '1000' }, /WEBHOOK_CONCURRENCY/],
    [{ WEBHOOK_POLL_INTERVAL_MS: 'often' }, /WEBHOOK_POLL_INTERVAL_MS/],
    [{ WEBHOOK_BACKOFF_BASE_MS: '70000', WEBHOOK_BACKOFF_MAX_MS: '60000' }, /WEBHOOK_BACKOFF_BASE_MS must not exceed WEBHOOK_BACKOFF_MAX_MS/],
  ] as const) {
    t.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
    t.throws(() => loadConfig(env), { message: name });
  }
});

t.test('SMTP_URL is never echoed in an error: it may hold a password', async (t) => {
  t.throws(() => loadConfig({ SMTP_URL: 'imap://duban:hunter2@mail.suihua.gov.cn' }), { message: /^(?!.*hunter2)/ });
});
