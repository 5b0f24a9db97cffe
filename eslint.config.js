// ESLint 9 flat config: typescript-eslint's recommended rules on all TypeScript and JavaScript in the repository;
// eslint-config-prettier last, so no rule fights the formatter (Prettier owns layout, see .prettierrc.json).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Generated or produced files (migrations and openapi/ are written by drizzle-kit and scripts/generate-openapi.ts).
    ignores: ['dist/', 'coverage/', 'openapi/', 'client/schema.d.ts', 'migrations/', 'reports/', '.stryker-tmp/', '.tap/', 'bench/results/', 'scratch/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a deliberately unused name, as for tsc's noUnusedParameters: a parameter kept for its
      // position, or a property destructured out to leave `...rest` without it.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The bench checks poke at parsed JSON bodies of many shapes (`verify: (body: any) => void`); typing each is not worth it there.
    files: ['bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
