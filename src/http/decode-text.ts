import { invalidField } from '../domain/errors.js';
import { HttpProblem } from './problem.js';
import { said } from '../domain/said.js';

/**
 * Text a client uploads (a CSV), decoded the way Chinese offices save it: UTF-8 with or without a byte-order mark,
 * UTF-16 with one (Excel's "Unicode text"), or GBK — what Excel and WPS write on Chinese Windows — read as GB18030,
 * its superset. The decoders are the WHATWG ones Node ships (ICU), in fatal mode: bytes that are not text in the
 * encoding are refused with the line they are on, never stored as U+FFFD.
 */
export type TextEncodingName = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/** Charsets a request may declare, by what the WHATWG Encoding Standard maps their labels to. */
const SUPPORTED: Record<string, TextEncodingName> = { 'utf-8': 'utf-8', gbk: 'gb18030', gb18030: 'gb18030', 'utf-16le': 'utf-16le', 'utf-16be': 'utf-16be' };

const BOMS: [number[], TextEncodingName][] = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
];

/** The `charset` parameter of a Content-Type header, if any (RFC 9110 §8.3: case-insensitive, optionally quoted). */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

/** The encoding a declared charset stands for; 415 for one we do not read. */
function declaredEncoding(charset: string): TextEncodingName {
  let encoding: string;
  try {
    encoding = new TextDecoder(charset).encoding;
  } catch {
    encoding = '';
  }
  const supported = SUPPORTED[encoding];
  if (!supported) {
    throw new HttpProblem(
      415,
      'unsupported-charset',
      said(
        `不能读取 charset=${charset} 的内容；请使用 UTF-8、GBK/GB18030 或带字节顺序标记（BOM）的 UTF-16。`,
        `charset=${charset} is not read here; send UTF-8, GBK/GB18030 or UTF-16 (with a byte-order mark).`,
      ),
    );
  }
  return supported;
}

/** The byte offsets where the lines start (after each LF; for UTF-16, after each LF code unit). */
function lineStarts(bytes: Uint8Array, encoding: TextEncodingName): number[] {
  const starts = [0];
  const unit = encoding === 'utf-16le' || encoding === 'utf-16be' ? 2 : 1;
  for (let i = 0; i + unit <= bytes.length; i += unit) {
    const lf = unit === 1 ? bytes[i] === 0x0a : encoding === 'utf-16le' ? bytes[i] === 0x0a && bytes[i + 1] === 0 : bytes[i] === 0 && bytes[i + 1] === 0x0a;
    if (lf) starts.push(i + unit);
  }
  return starts;
}

/** The 1-based number of the first line that is not valid text in the encoding; undefined when all are. */
function firstInvalidLine(bytes: Uint8Array, encoding: TextEncodingName): number | undefined {
  const starts = lineStarts(bytes, encoding);
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  for (const [index, start] of starts.entries()) {
    try {
      decoder.decode(bytes.subarray(start, starts[index + 1] ?? bytes.length));
    } catch {
      return index + 1;
    }
  }
  return undefined;
}

function decodes(bytes: Uint8Array, encoding: TextEncodingName): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * How much of the bytes reads as UTF-8 multi-byte characters (a Chinese character is three bytes E4–E9 80–BF 80–BF)
 * against how many bytes above 0x7F do not: a UTF-8 file with a damaged byte is mostly the former, GBK text the latter.
 */
function looksLikeUtf8(bytes: Uint8Array): boolean {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const length = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 0;
    const trail = bytes.subarray(i + 1, i + length);
    if (length > 0 && trail.length === length - 1 && trail.every((t) => t >= 0x80 && t <= 0xbf)) {
      valid++;
      i += length - 1;
    } else {
      invalid++;
    }
  }
  return valid > invalid;
}

const NAMES: Record<TextEncodingName, string> = { 'utf-8': 'UTF-8', gb18030: 'GBK/GB18030', 'utf-16le': 'UTF-16', 'utf-16be': 'UTF-16' };
const refuse = (bytes: Uint8Array, encoding: TextEncodingName) => {
  const line = firstInvalidLine(bytes, encoding);
  return invalidField(
    '/body',
    said(
      `第 ${line} 行不是有效的 ${NAMES[encoding]} 文字：该处字节不完整或不是该编码的字符；请重新保存文件（UTF-8 或 GBK）后再试`,
      `is not ${NAMES[encoding]} text on line ${line}: bytes there are cut short or not characters in it; save the file again (UTF-8 or GBK) and retry`,
    ),
  );
};

/**
 * Decodes an uploaded text body. A byte-order mark decides; else a declared charset; else UTF-8 when the bytes are
 * UTF-8, GB18030 when they are that and do not look like damaged UTF-8. What decodes in none of them is a 400 naming
 * the first line that does not.
 */
export function decodeText(bytes: Uint8Array, charset: string | undefined): { text: string; encoding: TextEncodingName } {
  const bom = BOMS.find(([mark]) => mark.every((byte, i) => bytes[i] === byte));
  const encoding = bom?.[1] ?? (charset === undefined ? undefined : declaredEncoding(charset));
  if (encoding !== undefined) {
    const body = bytes.subarray(bom?.[0].length ?? 0);
    const text = decodes(body, encoding);
    if (text === undefined) throw refuse(body, encoding);
    return { text, encoding };
  }
  const utf8 = decodes(bytes, 'utf-8');
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf-8' };
  // Damaged UTF-8 would often decode as GB18030 — into nonsense: it is refused as UTF-8 instead.
  const likely: TextEncodingName = looksLikeUtf8(bytes) ? 'utf-8' : 'gb18030';
  const gb = likely === 'gb18030' ? decodes(bytes, 'gb18030') : undefined;
  if (gb !== undefined) return { text: gb, encoding: 'gb18030' };
  throw refuse(bytes, likely);
}
