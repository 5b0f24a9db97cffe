/**
 * What the contract's examples name, so that Swagger UI's "Try it out" and contract tests generated from
 * openapi/openapi.json meet data that exists on a freshly seeded server.
 *
 * Plan ids are the ones the seed loader gives the Suihua plan: it inserts seeds/ in document order, so every fresh
 * database has the same ids (test/openapi/examples.test.ts loads the seed twice and compares). Reports and keys do
 * not come with the seed: their ids are those a fresh database gives the contract's own write examples, posted in
 * the order a script naturally sends them (scripts/contract-test.ts does): the first admin key from
 * `npm run apikey`, then `POST /reports`, `POST /reports/bulk`, `POST /api-keys`.
 */
export const SEED_EXAMPLES = {
  plan: 1,
  /** 主要任务指标, the first chapter. */
  chapter: 1,
  /** Task 3, 持续提升“双公示”水平: two indicators, owed by every city department. */
  task: 3,
  /** Task 3's measure: 各有关部门明确专人负责“双公示”信息填报工作 (yearly, 2022–2023). */
  measure: 3,
  /** Measure 3's 2023 milestone: 2023年年底前完成合规率超过98%;瞒报率为0. */
  milestone: 7,
  /** “双公示”合规率 (task 3, 超过98% by 2023): the example report gives the unit's own figure. */
  indicator: 3,
  /** 市民政局: a city department a reporter key can be bound to. */
  unit: { id: 5, name: '市民政局' },
  /**
   * 市民政局 owing measure 3 through 中省市直各有关单位: a single obligation (2023), so the example report, once
   * approved, completes it and the assignment can be closed out, reopened and — owed through a collective — withdrawn.
   */
  assignment: 74,
  /** The period of that obligation, due 2023-12-31. */
  period: '2023',
  /** POST /reports's example: 市民政局 on measure 3 for 2023. */
  report: 1,
  /** That report's ETag as first posted (its id and version): what `If-Match` names before the first change. */
  reportEtag: '"1.1"',
  /** The first row of POST /reports/bulk's example, sent for review at once: a report a reviewer can return. */
  submittedReport: 2,
  /** POST /api-keys's example; key 1 is the first admin key. */
  apiKey: 2,
  /** 市银保监局, renamed by POST /units/{id}/rename's example (the 2023 reform: 国家金融监督管理总局绥化监管分局). */
  renamedUnit: 45,
  /** 黑龙江银保监局, merged into 市银保监局 by POST /units/{id}/merge's example: two spellings of one bureau. */
  mergedUnit: 46,
  /** 市数据局, the first unit after the seed's sixty: made by POST /units's example, then changed, retired and restored. */
  createdUnit: 61,
  /** POST /units/{id}/contacts's example, the first contact of a fresh database (on 市民政局): then removed by DELETE. */
  contact: 1,
  /** POST /webhooks's example (its URL with a query, not to be a twin of it), subscribed before the report writes (scripts/contract-test.ts does). */
  webhook: 1,
  /** Its first message: owed by the first report write after it that is not a draft. */
  webhookDelivery: 1,
} as const;
