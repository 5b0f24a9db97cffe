// Request size limits, in one place: the plugins enforce them and the contract's descriptions quote them.

/** Request bodies on routes that set no `bodyLimit` of their own (Fastify's default, made explicit). */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Path plus query string. No filter combination comes near it, and a longer URL is refused before routing,
 * authentication or query parsing spend any work on it.
 */
export const MAX_URL_BYTES = 4096;

/** A path parameter (an id) longer than this is refused by the router (Fastify's default, made explicit). */
export const MAX_PARAM_LENGTH = 100;
