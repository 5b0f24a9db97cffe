import { FormatRegistry, Type, type StringOptions } from '@sinclair/typebox';

/**
 * What free text the API stores, in one place: every string a client writes for people to read (report narrative,
 * evidence, review notes, key names) must be text the exports can hold. XML 1.0 — the inside of every .xlsx — forbids
 * the C0 controls other than TAB, LF and CR, U+FFFE, U+FFFF and unpaired surrogates; one stored U+FFFE makes every
 * later breakdown.xlsx a file Excel refuses to open. Refused as well, because no reader sees them and they mostly mean
 * mis-decoded input (GBK or cp1252 read as Latin-1): DEL and the C1 controls (U+007F–U+009F, which XML 1.0
 * discourages and XML 1.1 forbids raw) and the other Unicode non-characters (U+FDD0–U+FDEF, U+nFFFE/U+nFFFF on every
 * plane, which XML 1.0 discourages). Everything else passes: CJK of every plane, emoji, U+FFFD, U+2028, TAB and line
 * breaks.
 *
 * A JSON-schema `pattern` cannot say this: Ajv compiles patterns with the `u` flag but TypeBox (which checks bulk
 * rows) without it, and no pattern means the same in both for astral and unpaired-surrogate code points. So it is a
 * format, `text`, known to both validators, documented once in the contract's conventions.
 */
const UNFIT = /(?![\t\n\r])[\p{Cc}\p{Noncharacter_Code_Point}\p{Cs}]/u;
const EVERY_UNFIT = new RegExp(UNFIT.source, 'gu');

export const TEXT_FORMAT = 'text';

/** For people: what `format: text` admits (the validation message and the contract both quote it). */
export const TEXT_RULE =
  'text without control characters other than tab and line breaks (U+0000–U+001F, U+007F–U+009F), Unicode non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, U+1FFFE …) or unpaired surrogates';

export function isText(value: string): boolean {
  return !UNFIT.test(value);
}

/**
 * Text as the exports write it: every character `isText` refuses becomes U+FFFD, as a decoder does with bytes it
 * cannot read, so a reader sees that something stood there. For what was stored before the rule (or came with
 * the seed): the exports must stay well-formed whatever the database holds.
 */
export function cleanText(value: string): string {
  return value.replace(EVERY_UNFIT, '\uFFFD');
}

// TypeBox checks only the formats it has been given; registered here, with the schemas that use it.
if (!FormatRegistry.Has(TEXT_FORMAT)) FormatRegistry.Set(TEXT_FORMAT, isText);

/** A free-text string field a client writes: `format: text` plus the field's own limits. */
export function freeText(options: StringOptions = {}) {
  return Type.String({ ...options, format: TEXT_FORMAT });
}
