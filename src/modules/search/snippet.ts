/**
 * Search snippets: a window of about SNIPPET_LENGTH characters around the first match, every match in it wrapped
 * in 【 】, `…` where the text was cut. Plain text (not HTML); the plan never uses 【 】 itself.
 *
 * Matches are found by FTS5's highlight() (full-text path) or by `markMatches` (the LIKE fallback), both writing
 * the private-use sentinels below, so brackets in the data cannot be mistaken for marks; `cutSnippet` then cuts
 * the window. (FTS5's own snippet() counts trigram tokens and may cut a long match in half at the window's edge.)
 */
export const MARK_OPEN = '【';
export const MARK_CLOSE = '】';
export const ELLIPSIS = '…';
export const SNIPPET_LENGTH = 40;

/** What highlight() and `markMatches` put around a match (Unicode private use: never in the plan's text). */
export const HIT_START = '\uE000';
export const HIT_END = '\uE001';

/** ASCII letters folded, as LIKE and the trigram tokenizer do, one character for one. */
const foldAscii = (chars: string[]) => chars.map((c) => (c >= 'A' && c <= 'Z' ? c.toLowerCase() : c));

/** `text` with every occurrence of `q` (ASCII letters folded, as LIKE matches) between HIT_START and HIT_END. */
export function markMatches(text: string, q: string): string {
  const chars = [...text];
  const hay = foldAscii(chars);
  const needle = foldAscii([...q]);
  if (needle.length === 0) return text;
  let out = '';
  for (let i = 0; i < chars.length;) {
    if (needle.every((c, k) => hay[i + k] === c)) {
      out += HIT_START + chars.slice(i, i + needle.length).join('') + HIT_END;
      i += needle.length;
    } else {
      out += chars[i];
      i += 1;
    }
  }
  return out;
}

/**
 * Cuts text marked with HIT_START/HIT_END to a snippet: the first match in the middle of a SNIPPET_LENGTH-character
 * window (shifted to stay inside the text, widened so no match is cut), matches wrapped in 【 】. Without a match:
 * the start of the text.
 */
export function cutSnippet(marked: string): string {
  // Plain characters, each with the number of the match it belongs to (-1: none).
  const chars: { c: string; match: number }[] = [];
  let current = -1;
  let matches = 0;
  for (const c of marked) {
    if (c === HIT_START) current = matches++;
    else if (c === HIT_END) current = -1;
    else chars.push({ c, match: current });
  }
  const first = chars.findIndex((x) => x.match === 0);
  const length = chars.filter((x) => x.match === 0).length;
  const size = Math.max(SNIPPET_LENGTH, length);
  let end = Math.min(chars.length, Math.max(0, first - Math.floor((size - length) / 2)) + size);
  const start = Math.max(0, end - size);
  // The window holds the first match whole; a later match it cuts is completed.
  while (end < chars.length && chars[end]!.match >= 0 && chars[end]!.match === chars[end - 1]!.match) end += 1;

  let out = start > 0 ? ELLIPSIS : '';
  for (let i = start; i < end; i += 1) {
    const { c, match } = chars[i]!;
    if (match >= 0 && (i === start || chars[i - 1]!.match !== match)) out += MARK_OPEN;
    out += c;
    if (match >= 0 && (i === end - 1 || chars[i + 1]!.match !== match)) out += MARK_CLOSE;
  }
  return end < chars.length ? out + ELLIPSIS : out;
}
