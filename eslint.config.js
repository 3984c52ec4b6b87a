// ESLint for spoolctl: typescript-eslint's strict and stylistic sets, and React's hook rules
// for the TUI. Formatting is Prettier's (npm run lint runs both).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', '.demo-spool/', 'bench/results/'] },
  js.configs.recommended,
  tseslint.configs.strict,
  tseslint.configs.stylistic,
  {
    rules: {
      // tsconfig's noUncheckedIndexedAccess types every index as possibly undefined; where
      // the code has just checked the length or found the key, `!` says so.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `const { key, ...rest } = obj` is how the code leaves a key out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['tui/**/*.{ts,tsx}', 'test/tui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['bin/**/*.js', 'fixtures/**/*.mjs', 'bundle.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
  {
    // The launcher is CommonJS (bin/package.json): an ES module entry would start Node's ES module loader.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
