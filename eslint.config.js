// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers import only to their left: policy-model ← usage ← recommender ← src (see ARCHITECTURE.md). */
const layer = (/** @type {string[]} */ forbidden, pure = false) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...forbidden.map((folder) => ({
          group: [`**/${folder}/**`, `**/${folder}`],
          message: `this layer may not import from ${folder}/ (layers are one-way, see ARCHITECTURE.md)`,
        })),
        // policy-model/ is pure and synchronous: no I/O, no Node built-ins.
        ...(pure
          ? [
              {
                group: ['node:*', 'fs', 'path', 'child_process', 'pino'],
                message: 'policy-model/ does no I/O',
              },
            ]
          : []),
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      // `_name` marks a value taken out of an object on purpose (rest destructuring to drop a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { varsIgnorePattern: '^_', argsIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['policy-model/**/*.ts'], rules: layer(['usage', 'recommender', 'src'], true) },
  { files: ['usage/**/*.ts'], rules: layer(['recommender', 'src']) },
  { files: ['recommender/**/*.ts'], rules: layer(['src']) },
);
