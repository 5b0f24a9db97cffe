import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ProblemSchema } from './problem.js';

/**
 * Registers the schemas routes refer to by `$ref`; each becomes a named component of the OpenAPI document. The
 * modules own their schemas and app.ts hands them here, so this helper knows no module.
 */
export function addSharedSchemas(app: FastifyInstance, moduleSchemas: TSchema[]): void {
  for (const schema of [ProblemSchema, ...moduleSchemas]) app.addSchema(schema);
}
