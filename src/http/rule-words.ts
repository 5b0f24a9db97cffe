import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { said, type Said } from '../domain/said.js';
import { CALENDAR_YEARS } from './calendar.js';
import { TEXT_FORMAT, TEXT_RULE } from './text.js';

/**
 * What a value that failed a schema rule should have been, in words a clerk can act on: the allowed values, the
 * range, the way to write it. Never the validator's own text (`Expected kind 'StringEnum'`, a regular expression).
 * Requests are checked by Ajv (fastify) and bulk rows by TypeBox; both are told through one `Rule`, shaped as Ajv
 * reports it.
 */
export interface Rule {
  keyword: string;
  params: Record<string, unknown>;
}

const patternWords = new Map<string, Said>();

/** A pattern with the words that say it; use the returned pattern in the schema. */
export function sayPattern(pattern: string, words: Said): string {
  patternWords.set(pattern, words);
  return pattern;
}

const CALENDAR = said(
  `，且须是真实存在的日期，时间在 00:00:00–23:59:59 之间，年份在 ${CALENDAR_YEARS.min}–${CALENDAR_YEARS.max} 之间`,
  `, a day that exists and a time of 00:00:00–23:59:59, in the years ${CALENDAR_YEARS.min}–${CALENDAR_YEARS.max}`,
);

const FORMAT_WORDS: Record<string, Said> = {
  'date-time': said('带时区的日期时间（如 2024-06-30T18:00:00+08:00）', 'a date-time with offset (2024-06-30T18:00:00+08:00)'),
  date: said('日期（如 2024-06-30）', 'a date (2024-06-30)'),
  uri: said('完整网址（如 https://example.gov.cn/a.pdf）', 'an absolute URL (https://example.gov.cn/a.pdf)'),
  [TEXT_FORMAT]: said('可显示的文字（不含控制字符和无效的 Unicode 字符）', TEXT_RULE),
};

const TYPE_WORDS: Record<string, Said> = {
  string: said('文字', 'text'),
  integer: said('整数', 'a whole number'),
  number: said('数字', 'a number'),
  boolean: said('true 或 false', 'true or false'),
  object: said('对象', 'an object'),
  array: said('列表', 'a list'),
  null: said('null', 'null'),
};

const listed = (values: unknown[]) => said(values.map((v) => JSON.stringify(v)).join('、'), values.map((v) => JSON.stringify(v)).join(', '));

const beMany = (words: Said[]) => said(`应为${words.map((w) => w.zh).join('或')}`, `must be ${words.map((w) => w.en).join(' or ')}`);

/** Words for the formats of one value that may be written in any of them (a date, or a date-time). */
export function formatChoiceWords(formats: string[]): Said | undefined {
  const words = formats.map((format) => FORMAT_WORDS[format]);
  if (words.some((w) => w === undefined)) return undefined;
  const calendar = formats.some((format) => format === 'date' || format === 'date-time');
  const base = beMany(words as Said[]);
  return calendar ? said(base.zh + CALENDAR.zh, base.en + CALENDAR.en) : base;
}

const RULE_WORDS: Record<string, (params: Record<string, unknown>) => Said | undefined> = {
  required: () => said('必须填写', 'is required'),
  additionalProperties: () => said('不是此处可用的字段', 'is not a field accepted here'),
  type: ({ type }) =>
    beMany(
      String(type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? said(t, t)),
    ),
  enum: ({ allowedValues }) => {
    const values = listed(allowedValues as unknown[]);
    return said(`应为以下之一：${values.zh}`, `must be one of ${values.en}`);
  },
  const: ({ allowedValue }) => said(`应为 ${JSON.stringify(allowedValue)}`, `must be ${JSON.stringify(allowedValue)}`),
  minimum: ({ limit }) => said(`不得小于 ${limit}`, `must be at least ${limit}`),
  maximum: ({ limit }) => said(`不得大于 ${limit}`, `must be at most ${limit}`),
  exclusiveMinimum: ({ limit }) => said(`应大于 ${limit}`, `must be more than ${limit}`),
  exclusiveMaximum: ({ limit }) => said(`应小于 ${limit}`, `must be less than ${limit}`),
  multipleOf: ({ multipleOf }) => said(`应为 ${multipleOf} 的倍数`, `must be a multiple of ${multipleOf}`),
  minLength: ({ limit }) => (limit === 1 ? said('不能为空', 'must not be empty') : said(`至少 ${limit} 个字符`, `must be at least ${limit} characters long`)),
  maxLength: ({ limit }) => said(`至多 ${limit} 个字符`, `must be at most ${limit} characters long`),
  minItems: ({ limit }) => said(`至少 ${limit} 项`, `must have at least ${limit} items`),
  maxItems: ({ limit }) => said(`至多 ${limit} 项`, `must have at most ${limit} items`),
  uniqueItems: () => said('各项不得重复', 'must not repeat an item'),
  pattern: ({ pattern }) => {
    const words = patternWords.get(String(pattern));
    return words && said(`应为${words.zh}`, `must be ${words.en}`);
  },
  format: ({ format }) => formatChoiceWords([String(format)]),
};

/** What the value should have been; a plain "not valid here" for a rule without words of its own. */
export function ruleWords(rule: Rule): Said {
  return RULE_WORDS[rule.keyword]?.(rule.params) ?? said('取值无效', 'is not valid here');
}

/** The schema of the value TypeBox refused, as much of it as the words need. */
interface ValueSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: ValueSchema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

/** A union of constants is a choice of values; a union of formats a choice of ways to write one. */
function unionRule(schema: ValueSchema): Rule {
  const options = schema.anyOf ?? [];
  if (options.length > 0 && options.every((o) => 'const' in o)) return { keyword: 'enum', params: { allowedValues: options.map((o) => o.const) } };
  return { keyword: 'type', params: { type: [...new Set(options.map((o) => o.type ?? 'null'))].join(',') } };
}

const TYPEBOX_RULES: Partial<Record<ValueErrorType, (schema: ValueSchema) => Rule>> = {
  [ValueErrorType.ObjectRequiredProperty]: () => ({ keyword: 'required', params: {} }),
  [ValueErrorType.ObjectAdditionalProperties]: () => ({ keyword: 'additionalProperties', params: {} }),
  [ValueErrorType.Kind]: (s) => (s.enum ? { keyword: 'enum', params: { allowedValues: s.enum } } : { keyword: 'type', params: { type: s.type } }),
  [ValueErrorType.Literal]: (s) => ({ keyword: 'const', params: { allowedValue: s.const } }),
  [ValueErrorType.Union]: unionRule,
  [ValueErrorType.StringFormat]: (s) => ({ keyword: 'format', params: { format: s.format } }),
  [ValueErrorType.StringPattern]: (s) => ({ keyword: 'pattern', params: { pattern: s.pattern } }),
  [ValueErrorType.StringMinLength]: (s) => ({ keyword: 'minLength', params: { limit: s.minLength } }),
  [ValueErrorType.StringMaxLength]: (s) => ({ keyword: 'maxLength', params: { limit: s.maxLength } }),
  [ValueErrorType.ArrayMinItems]: (s) => ({ keyword: 'minItems', params: { limit: s.minItems } }),
  [ValueErrorType.ArrayMaxItems]: (s) => ({ keyword: 'maxItems', params: { limit: s.maxItems } }),
  [ValueErrorType.NumberMinimum]: (s) => ({ keyword: 'minimum', params: { limit: s.minimum } }),
  [ValueErrorType.IntegerMinimum]: (s) => ({ keyword: 'minimum', params: { limit: s.minimum } }),
  [ValueErrorType.NumberMaximum]: (s) => ({ keyword: 'maximum', params: { limit: s.maximum } }),
  [ValueErrorType.IntegerMaximum]: (s) => ({ keyword: 'maximum', params: { limit: s.maximum } }),
  [ValueErrorType.NumberExclusiveMinimum]: (s) => ({ keyword: 'exclusiveMinimum', params: { limit: s.exclusiveMinimum } }),
  [ValueErrorType.IntegerExclusiveMinimum]: (s) => ({ keyword: 'exclusiveMinimum', params: { limit: s.exclusiveMinimum } }),
  [ValueErrorType.NumberExclusiveMaximum]: (s) => ({ keyword: 'exclusiveMaximum', params: { limit: s.exclusiveMaximum } }),
  [ValueErrorType.IntegerExclusiveMaximum]: (s) => ({ keyword: 'exclusiveMaximum', params: { limit: s.exclusiveMaximum } }),
  [ValueErrorType.NumberMultipleOf]: (s) => ({ keyword: 'multipleOf', params: { multipleOf: s.multipleOf } }),
  [ValueErrorType.IntegerMultipleOf]: (s) => ({ keyword: 'multipleOf', params: { multipleOf: s.multipleOf } }),
};

/** A TypeBox error told as the rule it broke; any type error is told by the type the schema wants. */
export function ruleOfValueError(error: ValueError): Rule {
  const schema = error.schema as ValueSchema;
  return TYPEBOX_RULES[error.type]?.(schema) ?? { keyword: 'type', params: { type: schema.type } };
}
