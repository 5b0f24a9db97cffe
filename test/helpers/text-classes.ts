/** Characters of each class the text rule (src/http/text.ts) refuses, and edge characters it must let through. */

export interface Sample {
  name: string;
  char: string;
}

const hex = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
const sample = (what: string, char: string): Sample => ({ name: `${what} ${hex(char)}`, char });

const C0 = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)).filter((char) => !'\t\n\r'.includes(char));

export const REFUSED: Sample[] = [
  ...C0.map((char) => sample('C0 control', char)),
  sample('DEL', '\u007F'),
  ...['\u0080', '\u0085', '\u009F'].map((char) => sample('C1 control', char)),
  ...['\uFFFE', '\uFFFF', '\uFDD0', '\uFDEF', '\u{1FFFE}', '\u{10FFFF}'].map((char) => sample('non-character', char)),
  sample('unpaired high surrogate', '\uD800'),
  sample('unpaired low surrogate', '\uDC00'),
];

/** Just inside the rule: the line breaks and tab, the neighbours of refused ranges, other planes, separators. */
export const ACCEPTED: Sample[] = [
  ...['\t', '\n', '\r'].map((char) => sample('whitespace', char)),
  sample('no-break space, after the C1 controls', '\u00A0'),
  sample('before the non-characters', '\uFDCF'),
  sample('after the non-characters', '\uFDF0'),
  sample('replacement character', '\uFFFD'),
  sample('byte-order mark', '\uFEFF'),
  sample('line separator', '\u2028'),
  sample('emoji', '😀'),
  sample('CJK extension B', '𠀀'),
  sample('last private-use character of plane 16', '\u{10FFFD}'),
];

/** Every accepted edge character in one piece of text. */
export const ACCEPTED_TEXT = `上报${ACCEPTED.map((s) => s.char).join('')}完毕`;

const REFUSED_CHARS = new Set(REFUSED.map((s) => s.char));
/** Whether text holds one of the refused samples: an oracle of its own, not the rule under test. Code point by code point, so a pair is not two lone surrogates. */
export const holdsRefusedSample = (text: string) => [...text].some((char) => REFUSED_CHARS.has(char));
