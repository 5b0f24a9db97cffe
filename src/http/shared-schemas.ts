import type { FastifyInstance } from 'fastify';
import { IndicatorSchema } from '../modules/indicators/schemas.js';
import { DeadlineSchema, MeasureSchema, MilestoneSchema } from '../modules/measures/schemas.js';
import { MilestoneListItemSchema } from '../modules/milestones/schemas.js';
import { ChapterSchema, PlanSchema } from '../modules/plans/schemas.js';
import { TaskDetailSchema, TaskSummarySchema } from '../modules/tasks/schemas.js';
import { UnitDetailSchema, UnitRefSchema, UnitSchema } from '../modules/units/schemas.js';
import { AuditEventSchema } from '../modules/audit/routes.js';
import { ApiKeySchema } from '../modules/auth/schemas.js';
import { FollowUpSchema } from '../modules/monitoring/schemas.js';
import { ImportSummarySchema } from '../modules/reports/bulk-routes.js';
import { ReportEventSchema, ReportInputSchema, ReportPatchSchema, ReportSchema } from '../modules/reports/schemas.js';
import { SearchHitSchema } from '../modules/search/schemas.js';
import { ProblemSchema } from './problem.js';

/** Schemas referenced by `$ref` from routes; each becomes a named component of the OpenAPI document. */
export function addSharedSchemas(app: FastifyInstance): void {
  for (const schema of [
    ProblemSchema,
    PlanSchema,
    ChapterSchema,
    UnitRefSchema,
    UnitSchema,
    UnitDetailSchema,
    DeadlineSchema,
    MilestoneSchema,
    MilestoneListItemSchema,
    MeasureSchema,
    IndicatorSchema,
    TaskSummarySchema,
    TaskDetailSchema,
    SearchHitSchema,
    ReportInputSchema,
    ReportPatchSchema,
    ReportSchema,
    ReportEventSchema,
    ApiKeySchema,
    AuditEventSchema,
    ImportSummarySchema,
    FollowUpSchema,
  ]) {
    app.addSchema(schema);
  }
}
