import { Type } from '@sinclair/typebox';
import { listQuery, pageOf } from '../../http/pagination.js';
import { retiredAtField } from '../../http/retired.js';

const planExample = {
  id: 1,
  code: 'suihua-social-credit-14th-fyp',
  title: '绥化市关于贯彻落实黑龙江省“十四五”社会信用体系建设规划任务责任分工和实施措施分解表',
  issuer: '信用中心',
  publishedOn: '2023-10-08',
  startYear: 2021,
  endYear: 2025,
  sourceFile: 'seeds/source/plan-breakdown.txt',
  counts: { chapters: 13, tasks: 75, measures: 170, milestones: 200, indicators: 20 },
};

export const PlanSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    code: Type.String({ description: 'Stable identifier of the plan.' }),
    title: Type.String(),
    issuer: Type.String({ description: 'Who published the breakdown table.' }),
    publishedOn: Type.String({ format: 'date' }),
    startYear: Type.Integer({ description: 'First year of the plan period.' }),
    endYear: Type.Integer({ description: 'Last year of the plan period.' }),
    sourceFile: Type.String({ description: 'The copy of the source document the plan was loaded from.' }),
    counts: Type.Object({
      chapters: Type.Integer({ minimum: 0 }),
      tasks: Type.Integer({ minimum: 0 }),
      measures: Type.Integer({ minimum: 0 }),
      milestones: Type.Integer({ minimum: 0 }),
      indicators: Type.Integer({ minimum: 0 }),
    }),
  },
  { $id: 'Plan', title: 'Plan', description: 'A responsibility breakdown table (规划).', examples: [planExample] },
);

export const PlanListQuery = listQuery({});
export const PlanPageSchema = pageOf(Type.Ref(PlanSchema), {
  description: 'A page of plans ordered by id.',
  itemExample: planExample,
});

const chapterExample = { id: 1, planId: 1, position: 1, title: '主要任务指标', taskCount: 11, retiredAt: null };
export const ChapterSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    planId: Type.Integer({ minimum: 1 }),
    retiredAt: retiredAtField,
    position: Type.Integer({ minimum: 1, description: 'Order of the chapter in the document.' }),
    title: Type.String({ description: 'The 规划章节 heading.' }),
    taskCount: Type.Integer({ minimum: 0 }),
  },
  { $id: 'Chapter', title: 'Chapter', description: 'A chapter (规划章节) of a plan.', examples: [chapterExample] },
);

export const ChapterListQuery = listQuery({
  plan: Type.Optional(Type.Integer({ minimum: 1, description: 'Plan id.' })),
});
export const ChapterPageSchema = pageOf(Type.Ref(ChapterSchema), {
  description: 'A page of chapters in document order.',
  itemExample: chapterExample,
});
