import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.dependency-cruiser.cjs', 'node_modules/**', 'var/**', 'dist/**', 'bench/.work/**', 'test/.work/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', performance: 'readonly', fetch: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', WebAssembly: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
      // Tests assert exact output such as `key = 1  # default`; literal spaces read better than {2}.
      'no-regex-spaces': 'off',
    },
  },
  {
    // No module-level mutable state in the library code.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/daemon/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Program > VariableDeclaration[kind='let']", message: 'No module-level mutable state: pass state in.' },
        { selector: "Program > ExportNamedDeclaration > VariableDeclaration[kind='let']", message: 'No module-level mutable state: pass state in.' },
        { selector: "Program > VariableDeclaration[kind='var']", message: 'No module-level mutable state: pass state in.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only composition roots (src/cli, src/daemon) read the environment.' },
        { object: 'process', property: 'argv', message: 'Only composition roots (src/cli, src/daemon) read argv.' },
      ],
      'no-console': 'error',
    },
  },
);
