import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../http/enum.js';
import { textFilter } from '../../http/filters.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { SEARCH_TYPES } from './repository.js';
import { said } from '../../domain/said.js';
import { sayPattern } from '../../http/rule-words.js';

const hitExample = {
  type: 'measure',
  id: 26,
  title: '引导银行机构参与“信易贷”业务,加强银企对接,满足企业信用贷款需求。(人民银行绥化中心支行)',
  snippet: '引导银行机构参与“【信易贷】”业务,加强银企对接,满足企业信用贷款需求。(人民银行绥化中…',
  rank: 3.95,
  link: '/api/v1/measures/26',
  taskId: 6,
  taskNo: 6,
};

export const SearchHitSchema = Type.Object(
  {
    type: StringEnum(SEARCH_TYPES, {
      description: 'What matched: task (its title), measure (its text or annual targets) or unit (its name or an alias).',
    }),
    id: Type.Integer({ minimum: 1, description: 'Id of the task, measure or unit.' }),
    title: Type.String({ description: 'The task title, the measure text or the unit’s canonical name, as printed.' }),
    snippet: Type.String({
      description:
        'The matching text (for a measure its text or its targets, for a unit its name or its aliases, separated by ；) around the match, each occurrence wrapped in 【 】 and cut text marked with …. Plain text, not HTML.',
    }),
    rank: Type.Number({
      description:
        'Relevance: the FTS5 bm25 score with its sign flipped, higher is better (each type is scored on its own index). 0 for queries of one or two characters, which are matched without the index.',
    }),
    link: Type.String({ description: 'Path of the matching resource, e.g. `/api/v1/measures/26`.' }),
    taskId: Type.Optional(Type.Integer({ minimum: 1, description: 'For a task: its id; for a measure: the id of its task.' })),
    taskNo: Type.Optional(Type.Integer({ description: 'For a task: its 序号; for a measure: its task’s 序号.' })),
  },
  {
    $id: 'SearchHit',
    title: 'SearchHit',
    description: 'One task, measure or unit whose text contains the query, with a highlighted snippet.',
    examples: [hitExample],
  },
);

export const SearchQuery = listQuery({
  q: {
    ...textFilter(
      200,
      'Text to find, matched literally as a substring (case-insensitive for Latin letters): quotes, `*`, `OR`, `NEAR(`, `-` are plain characters. Three or more characters use the full-text index and are ranked; one or two characters are matched by a scan and not ranked.',
    ),
    examples: ['信易贷', '双公示', '码上诚信'],
  },
  types: Type.Optional(
    Type.String({
      pattern: sayPattern(
        `^(${SEARCH_TYPES.join('|')})(,(${SEARCH_TYPES.join('|')}))*$`,
        said(`以逗号分隔的 ${SEARCH_TYPES.join('、')}`, `a comma-separated list of ${SEARCH_TYPES.join(', ')}`),
      ),
      description: 'Comma-separated kinds of item to search: `task`, `measure`, `unit` (default: all three).',
      examples: ['task,measure'],
    }),
  ),
});

export const SearchPageSchema = pageOf(Type.Ref(SearchHitSchema), {
  description: 'A page of search hits ordered by rank (most relevant first), then type (task, measure, unit), then id.',
  itemExample: hitExample,
});
