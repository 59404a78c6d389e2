// Lint rules that hold the architecture: no import cycles, and one role reaches another only
// through that role's index.ts (STYLE.md, practice 1).
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

const roles = [
  'core',
  'config',
  'errors',
  'collect',
  'store',
  'metrics',
  'queue',
  'worker',
  'schedule',
  'api',
  'web',
  'cli',
  'boot',
];

const roleZones = roles.flatMap((role) =>
  roles
    .filter((other) => other !== role)
    .map((other) => ({
      target: `./src/${role}`,
      from: `./src/${other}`,
      except: ['./index.ts'],
      message: `Import the ${other} role through src/${other}/index.ts.`,
    })),
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-output/', '.metre/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: roleZones }],
      'import-x/no-default-export': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['bin/*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    files: ['*.config.{js,ts}', 'eslint.config.js', 'src/web/vite.config.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
);
