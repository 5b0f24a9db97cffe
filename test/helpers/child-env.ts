/**
 * The environment for a child process a test starts (the server, the apikey command): without tap's coverage
 * and process-info hooks, which would otherwise merge the child's differently compiled copy of our sources into
 * the coverage report and garble it.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'NODE_V8_COVERAGE' && name !== 'NODE_OPTIONS' && !name.startsWith('_TAPJS')),
  );
  return { ...env, ...extra };
}
