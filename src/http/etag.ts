/**
 * Entity-tag comparison (RFC 9110 §8.8.3.2), one place for both kinds: `If-Match` guards a write and needs the strong
 * comparison (a weak tag `W/"x"` never matches, since it does not promise the same bytes); `If-None-Match` revalidates
 * a cached copy and uses the weak one (`W/"x"` matches `"x"`). `*` matches any current representation.
 */
function listed(header: string): string[] {
  return header.split(',').map((tag) => tag.trim());
}

/** `If-Match`: true when the header is `*` or lists `etag` itself, not a weak form of it. */
export function strongMatch(header: string, etag: string): boolean {
  return listed(header).some((tag) => tag === '*' || (tag === etag && !etag.startsWith('W/')));
}

/** `If-None-Match`: true when the header is `*` or lists `etag`, weak or strong. */
export function weakMatch(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  return listed(header).some((tag) => tag === '*' || opaque(tag) === opaque(etag));
}
