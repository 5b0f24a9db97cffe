import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import t from 'tap';
import { ruleOfValueError, ruleWords } from '../../src/http/rule-words.js';

/** What a clerk reads for the first rule `value` breaks in `schema` (the bulk import checks its rows with TypeBox). */
function wordsFor(schema: TSchema, value: unknown) {
  const error = Value.Errors(schema, value).First();
  if (!error) throw new Error(`${JSON.stringify(value)} is valid`);
  return ruleWords(ruleOfValueError(error));
}

t.test('every TypeBox rule is told in words that say what the value should be, in both languages', async (t) => {
  const cases: [string, TSchema, unknown, string, string][] = [
    ['minimum', Type.Number({ minimum: 0 }), -1, '不得小于 0', 'must be at least 0'],
    ['integer minimum', Type.Integer({ minimum: 1 }), 0, '不得小于 1', 'must be at least 1'],
    ['maximum', Type.Number({ maximum: 100 }), 101, '不得大于 100', 'must be at most 100'],
    ['integer maximum', Type.Integer({ maximum: 9 }), 10, '不得大于 9', 'must be at most 9'],
    ['exclusive minimum', Type.Number({ exclusiveMinimum: 0 }), 0, '应大于 0', 'must be more than 0'],
    ['integer exclusive minimum', Type.Integer({ exclusiveMinimum: 0 }), 0, '应大于 0', 'must be more than 0'],
    ['exclusive maximum', Type.Number({ exclusiveMaximum: 1 }), 1, '应小于 1', 'must be less than 1'],
    ['integer exclusive maximum', Type.Integer({ exclusiveMaximum: 5 }), 5, '应小于 5', 'must be less than 5'],
    ['multiple of', Type.Number({ multipleOf: 0.5 }), 0.3, '应为 0.5 的倍数', 'must be a multiple of 0.5'],
    ['integer multiple of', Type.Integer({ multipleOf: 5 }), 7, '应为 5 的倍数', 'must be a multiple of 5'],
    ['empty text', Type.String({ minLength: 1 }), '', '不能为空', 'must not be empty'],
    ['short text', Type.String({ minLength: 3 }), 'ab', '至少 3 个字符', 'at least 3 characters'],
    ['long text', Type.String({ maxLength: 2 }), 'abc', '至多 2 个字符', 'at most 2 characters'],
    ['few items', Type.Array(Type.Number(), { minItems: 2 }), [1], '至少 2 项', 'at least 2 items'],
    ['many items', Type.Array(Type.Number(), { maxItems: 1 }), [1, 2], '至多 1 项', 'at most 1 items'],
    ['a literal', Type.Literal('yes'), 'no', '应为 "yes"', 'must be "yes"'],
    ['a choice of literals', Type.Union([Type.Literal('a'), Type.Literal('b')]), 'c', '应为以下之一', 'must be one of'],
    ['a missing field', Type.Object({ name: Type.String() }), {}, '必须填写', 'is required'],
    ['an unknown field', Type.Object({}, { additionalProperties: false }), { extra: 1 }, '不是此处可用的字段', 'is not a field accepted here'],
  ];
  for (const [name, schema, value, zh, en] of cases) {
    const words = wordsFor(schema, value);
    t.match(words.zh, zh, `${name} (zh)`);
    t.match(words.en, en, `${name} (en)`);
  }
});

t.test('rules that only requests meet (Ajv), and a rule without words of its own', async (t) => {
  t.match(ruleWords({ keyword: 'uniqueItems', params: {} }), { zh: '各项不得重复', en: 'must not repeat an item' });
  t.match(ruleWords({ keyword: 'const', params: { allowedValue: 2 } }), { zh: '应为 2', en: 'must be 2' });
  t.match(ruleWords({ keyword: 'if', params: {} }), { zh: '取值无效', en: 'is not valid here' }, 'an unknown rule is still said plainly');
});
