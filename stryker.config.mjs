// Mutation testing of the core rules: `npm run mutate` (slow, so not part of `npm test` or CI).
// Stryker's tap runner runs each test file in its own node process (tsx compiles the TypeScript), so only the files
// that exercise these rules are listed; perTest coverage then runs, for each mutant, only the files that reach it.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/modules/reports/service.ts', // the report workflow
    'src/modules/reports/rules.ts', // who may report and review, If-Match
    'src/modules/reports/content.ts', // when two reports are the same report
    'src/modules/assignments/lights.ts', // an obligation's state and light
    'src/modules/assignments/schedule.ts', // what a schedule owes, and when
    'src/modules/monitoring/rollup.ts', // a measure for a year: k of n
    'src/modules/monitoring/evaluation.ts', // whether a yearly target is met
    'src/modules/idempotency/store.ts', // safe retries
    'src/plugins/auth.ts', // who the caller is, and the role a route needs
  ],
  testRunner: 'tap',
  tap: {
    // Unit tests of the rules first, then the HTTP tests that reach them; the slower suites that merely pass
    // through these files (bulk imports, monitoring, exports) would multiply the run time without adding kills.
    testFiles: [
      'test/modules/reports/service.test.ts',
      'test/modules/monitoring-evaluation.test.ts',
      'test/modules/assignments/lights.test.ts',
      'test/modules/assignments/schedule.test.ts',
      'test/modules/idempotency/store.test.ts',
      'test/plugins/auth.test.ts',
      'test/modules/reports/reports.test.ts',
      'test/modules/reports/authorization.test.ts',
      'test/modules/auth/collective-keys.test.ts',
      'test/modules/audit.test.ts',
    ],
    nodeArgs: ['--import', 'tsx'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // The machine is shared: a slow run is not a mutant that hangs.
  timeoutMS: 30_000,
  timeoutFactor: 2,
  // The sandbox copies the project; these are not needed to run the tests above.
  ignorePatterns: ['.tap', 'data', 'dist', 'coverage', 'bench', 'openapi', 'scripts'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.stryker-tmp',
};
