/**
 * The environment for a child process a test starts (the server, the CLI commands), with tap's coverage turned
 * off in it. The child runs our sources through tsx, compiled differently from tap's ts-node copy; its coverage,
 * merged by file URL, would lay tsx's offsets over ts-node's and mark functions the tests run as never called.
 *
 * Removing tap's variables is not enough: @tapjs/processinfo hooks every spawn and copies its `_TAPJS_PROCESSINFO_*`
 * variables and loader back into the child's environment, except those the child's environment already sets. So
 * the child gets `_TAPJS_PROCESSINFO_COVERAGE_=0`, the switch processinfo documents for turning coverage off.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', ...extra };
}
