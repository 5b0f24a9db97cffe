import dns from 'node:dns/promises';
import net, { type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { said, type Said } from '../../domain/said.js';

/** Where webhooks may go besides the public internet (`WEBHOOK_ALLOW_PRIVATE`, `WEBHOOK_ALLOWED_HOSTS`). */
export interface AddressPolicy {
  allowPrivate: boolean;
  allowedHosts: string[];
}

/** Resolves a host name to all its addresses (dns.lookup; tests and the dispatcher share it). */
export type Lookup = (hostname: string) => Promise<string[]>;

export const systemLookup: Lookup = async (hostname) => (await dns.lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Why a URL cannot take webhooks, whatever it resolves to; undefined when its form is fine. http(s) only; no
 * credentials (they would be stored and shown like any URL); no fragment (never sent, so it means a mistake); written
 * the standard way, `scheme://host[:port]/…`: the URL parser forgives `https:host`, `https:///host`, `https://@host`
 * and `\` for `/`, but a receiver's owner reading such a text may take it for another address than the one we call.
 */
export function urlFormProblem(raw: string): Said | undefined {
  if (!URL.canParse(raw) || /[^!-~\u0080-\uFFFF]/.test(raw))
    return said('不是有效的网址（应形如 https://example.gov.cn/hooks）', 'is not a valid URL (like https://example.gov.cn/hooks)');
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return said(`只接受 http 或 https 网址，不接受 ${url.protocol.slice(0, -1)}`, `must be http or https, not ${url.protocol.slice(0, -1)}`);
  if (raw.includes('\\')) return said('网址中不能含反斜杠（\\），路径请用 /', 'must not contain a backslash (\\); separate the path with /');
  const authority = /^https?:\/\/([^/?#]+)/i.exec(raw)?.[1];
  if (authority === undefined)
    return said(
      `网址应以“${url.protocol}//”加主机名开头（应形如 ${url.protocol}//example.gov.cn/hooks）`,
      `must start with ${url.protocol}// and the host (like ${url.protocol}//example.gov.cn/hooks)`,
    );
  if (authority.includes('@') || url.username !== '' || url.password !== '')
    return said('网址中不能含用户名或密码（“@”及其之前的部分）', 'must not carry a user name or password (an "@" and what precedes it)');
  if (url.port === '0' || authority.endsWith(':'))
    return said('端口应为 1–65535 的数字，或省略（http 为 80，https 为 443）', 'must have a port from 1 to 65535, or none (80 for http, 443 for https)');
  if (raw.includes('#')) return said('网址中不能含片段（# 之后的部分）', 'must not have a fragment (#…)');
  return undefined;
}

/** The URL as it is called and stored: its normal form (host in lower case, default port dropped, `..` resolved). Only after `urlFormProblem`. */
export const normalUrl = (raw: string) => new URL(raw).href;

/** Global unicast, the only IPv6 addresses the public internet routes to a host (RFC 4291 §2.4). */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * An address the public internet routes: ipaddr.js calls every other range by name (loopback, private, linkLocal …).
 * Not for IPv6, though: the rest of ::/96 (IPv4-compatible, ::127.0.0.1 is ::7f00:1) is "unicast" to it, and reaches
 * the IPv4 address on some hosts. So IPv6 must also be global unicast, 2000::/3.
 */
function publicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1.
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
  if (parsed.range() !== 'unicast') return false;
  return parsed instanceof ipaddr.IPv4 || parsed.match(GLOBAL_UNICAST);
}

const internal = (host: string, address: string) =>
  said(
    `“${host}”指向内部地址 ${address}（本机、内网、链路本地等），不能接收推送；如确需推送到内网，请由管理员配置 WEBHOOK_ALLOWED_HOSTS`,
    `"${host}" points to the internal address ${address} (loopback, private, link-local …) and cannot take webhooks; an administrator may allow it with WEBHOOK_ALLOWED_HOSTS`,
  );

/**
 * Why webhooks must not go to this URL now, or undefined: its form, then every address its host has (an address
 * literal as it stands, a name as DNS resolves it at this moment). Checked on subscribing and again before each send,
 * since a name may later resolve elsewhere (DNS rebinding).
 */
export async function destinationProblem(raw: string, policy: AddressPolicy, lookup: Lookup = systemLookup): Promise<Said | undefined> {
  const form = urlFormProblem(raw);
  if (form) return form;
  const { hostname } = new URL(raw);
  if (policy.allowPrivate || policy.allowedHosts.includes(hostname)) return undefined;
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (net.isIP(bare) !== 0) addresses = [bare];
  else {
    try {
      addresses = await lookup(bare);
    } catch {
      return said(`无法解析主机名“${hostname}”`, `the host name "${hostname}" does not resolve`);
    }
  }
  if (addresses.length === 0) return said(`无法解析主机名“${hostname}”`, `the host name "${hostname}" does not resolve`);
  const refused = addresses.find((address) => !publicAddress(address));
  return refused === undefined ? undefined : internal(hostname, refused);
}

/**
 * The name lookup the sockets webhooks go through use: the addresses it answers are the ones connected to, so a name
 * that resolves inside the network between the check before an attempt and the connection (DNS rebinding) is refused
 * here, where it counts. Hosts the policy allows resolve as they are.
 */
export function connectLookup(policy: AddressPolicy, lookup: Lookup = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    const refuse = (message: string) => callback(new Error(message), '', 4);
    lookup(hostname).then(
      (addresses) => {
        const allowed = policy.allowPrivate || policy.allowedHosts.includes(hostname);
        const internalAddress = allowed ? undefined : addresses.find((address) => !publicAddress(address));
        if (internalAddress !== undefined) return refuse(`refused: "${hostname}" resolves to the internal address ${internalAddress}`);
        const entries = addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
        if (entries.length === 0) return refuse(`the host name "${hostname}" does not resolve`);
        if (options.all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: Error) => refuse(error.message),
    );
  };
}
