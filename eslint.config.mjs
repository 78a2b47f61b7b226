// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering, bottom up: ledger (our vocabulary) <- providers <- projections
 * (pure) <- read-models (the engine) <- queries/audit; event-store and webhooks
 * beside them. A folder may import only what lies below it; the pure rooms
 * import no I/O. Specs are exempt (they wire real parts together).
 */
const OUR_FOLDERS = [
  'erasure',
  'threads',
  'ledger',
  'providers',
  'projections',
  'read-models',
  'event-store',
  'webhooks',
  'queries',
  'audit',
  'http',
  'health',
  'observability',
  'console',
  'cli',
  'data-dir',
  'access',
  'config',
];
const IO_PACKAGES = [
  '@nestjs/*',
  'better-sqlite3',
  'fastify',
  '@fastify/*',
  '@eventstore/*',
  'pino',
  'prom-client',
  'fs',
  'node:fs',
  'fs/*',
  'node:fs/*',
  'timers',
  'node:timers',
  'timers/*',
  'node:timers/*',
  'worker_threads',
  'node:worker_threads',
  'child_process',
  'node:child_process',
  'net',
  'node:net',
];
const folder = (name) => `**/${name}/**`;

/** `no-restricted-imports` for a room that may not import these folders (types of `typesOnly` allowed). */
function layer(files, { folders = [], typesOnly = [], io = false, extraIgnores = [] }) {
  return {
    files,
    ignores: ['**/*.spec.ts', ...extraIgnores],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...folders.map((name) => ({
              group: [folder(name)],
              message: `${files[0]} sits below ${name}/: it may not import it (see the layering in eslint.config.mjs).`,
            })),
            ...typesOnly.map((name) => ({
              group: [folder(name)],
              allowTypeImports: true,
              message: `${files[0]} may take only types from ${name}/.`,
            })),
            ...(io
              ? [
                  {
                    group: IO_PACKAGES,
                    message: `${files[0]} is pure: no framework, storage, timers, files or threads.`,
                  },
                ]
              : []),
          ],
        },
      ],
    },
  };
}
const except = (...names) => OUR_FOLDERS.filter((name) => !names.includes(name));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The benchmarks' launcher: plain CommonJS that node runs before any TypeScript support.
    files: ['bench/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The audit console's pages: ES modules run by the browser as written, no build step.
    files: ['src/console/public/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'location',
          'history',
          'sessionStorage',
          'fetch',
          'Node',
          'URLSearchParams',
          'Intl',
          'setTimeout',
          'clearTimeout',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  layer(['src/ledger/**/*.ts'], {
    folders: except('ledger', 'config'),
    typesOnly: ['config'],
    io: true,
  }),
  layer(['src/providers/**/*.ts'], {
    folders: except('ledger', 'providers', 'config'),
    typesOnly: ['config'],
    io: true,
  }),
  layer(['src/projections/**/*.ts'], {
    folders: except('ledger', 'providers', 'projections', 'config', 'event-store'),
    typesOnly: ['config', 'event-store'],
    io: true,
    extraIgnores: ['src/projections/testing/**'],
  }),
  layer(['src/projections/testing/**/*.ts'], {
    folders: except('ledger', 'providers', 'projections', 'config', 'event-store'),
    typesOnly: ['config', 'event-store'],
  }),
  layer(['src/event-store/**/*.ts'], {
    folders: [
      'providers',
      'projections',
      'read-models',
      'webhooks',
      'queries',
      'audit',
      'console',
      'cli',
      'health',
    ],
  }),
  layer(['src/read-models/**/*.ts'], {
    folders: [
      'providers',
      'webhooks',
      'queries',
      'audit',
      'console',
      'cli',
      'health',
      'observability',
    ],
  }),
  layer(['src/webhooks/**/*.ts'], {
    folders: ['projections', 'read-models', 'queries', 'audit', 'console', 'cli', 'health'],
  }),
  layer(['src/erasure/**/*.ts'], {
    folders: [
      'webhooks',
      'read-models',
      'audit',
      'console',
      'cli',
      'health',
      'read-models/storage',
    ],
  }),
  layer(['src/queries/**/*.ts', 'src/audit/**/*.ts'], {
    folders: ['webhooks', 'console', 'cli', 'read-models/storage'],
  }),
);
