/**
 * An e-mail address as offices use them (zhangsan@mca.suihua.gov.cn, 12345@qq.com): an ASCII local part of RFC 5322
 * "atext" dot-atoms, and a domain of at least two LDH labels with an alphabetic top-level label. Quoted local parts,
 * IP literals and comments are refused: no office mailbox needs them, and every mail server accepts what passes.
 */
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  if (local.length > 64 || !LOCAL.test(local) || labels.length < 2) return false;
  return labels.every((label) => LABEL.test(label)) && /^[A-Za-z]{2,63}$/.test(labels.at(-1)!);
}

/** An address shown to someone who need not read it whole: the first character of the mailbox and the domain. */
export function maskedEmail(value: string): string {
  const at = value.lastIndexOf('@');
  return `${value.slice(0, 1)}***${value.slice(at)}`;
}
