import { Kind, Type, TypeRegistry, type SchemaOptions } from '@sinclair/typebox';

// A string enum renders as `enum` in OpenAPI (a union of literals renders as anyOf); registering the kind
// lets TypeBox's own compiler check it too (bulk rows are checked with it).
TypeRegistry.Set<{ enum: string[] }>('StringEnum', (schema, value) => typeof value === 'string' && schema.enum.includes(value));

export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: 'StringEnum', type: 'string', enum: [...values] });
}
