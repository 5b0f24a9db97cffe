import { Type } from '@sinclair/typebox';

/** When an amendment took a record out of the plan; every amendable record carries it. */
export const retiredAtField = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
  description: 'When an amendment took it out of the plan (null: in the plan). Retired items leave default lists and stay readable by id.',
});
