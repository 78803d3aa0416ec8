// @ts-check
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Bare builtin names ('fs', 'domain') are matched exactly, so a file named domain.ts stays importable.
const nodeBuiltins = ['node:*']
const builtinPaths = builtinModules.map((name) => ({ name, message: 'No Node built-ins in this layer.' }))
const native = ['better-sqlite3', 'node-llama-cpp']
/** node-llama-cpp's native engine: only the engine process may touch it (DESIGN.md, layer rules). */
const nativeEngineNames = [
  'getLlama',
  'LlamaChat',
  'LlamaCompletion',
  'LlamaChatSession',
  'GgufInsights',
  'TokenBias',
]

/** Builds a `no-restricted-imports` rule from forbidden packages and forbidden folders. */
function layer({ packages = [], folders = [], paths = [] }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths,
        patterns: [
          ...(packages.length ? [{ group: packages, message: 'This layer may not import this package (see DESIGN.md).' }] : []),
          ...(folders.length ? [{ group: folders, message: 'This layer may not import that folder (see DESIGN.md).' }] : []),
        ],
      },
    ],
  }
}

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', '.cache/', '.scratch/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/shared/**'],
    rules: layer({
      packages: [...nodeBuiltins, 'electron', 'react', 'react-dom', 'ws', ...native],
      folders: ['**/main/**', '**/renderer/**', '**/worker/**', '**/preload/**', '**/grid/**'],
      paths: builtinPaths,
    }),
  },
  {
    files: ['src/grid/**'],
    rules: layer({
      packages: ['electron', 'react', 'react-dom', ...native],
      folders: ['**/main/**', '**/renderer/**', '**/preload/**', '**/worker/**'],
    }),
  },
  {
    files: ['src/worker/**'],
    rules: layer({
      packages: ['electron', 'react', 'react-dom', ...native],
      folders: ['**/main/**', '**/renderer/**', '**/preload/**'],
    }),
  },
  {
    files: ['src/main/**'],
    ignores: [
      'src/main/electron/**',
      'src/main/engine/llamaRuntime.ts',
      'src/main/engine/engineProcess.ts',
      'src/main/engine/modelInspector.ts',
    ],
    rules: layer({
      packages: ['react', 'react-dom'],
      folders: ['**/renderer/**', '**/preload/**'],
      paths: [
        { name: 'electron', message: "Only src/main/electron may import 'electron'." },
        {
          name: 'node-llama-cpp',
          importNames: nativeEngineNames,
          message: 'The native engine lives only in the engine process (src/main/engine/llamaRuntime.ts).',
        },
      ],
    }),
  },
  {
    files: ['src/main/electron/**'],
    rules: layer({ packages: ['react', 'react-dom'], folders: ['**/renderer/**', '**/preload/**'] }),
  },
  {
    files: ['src/preload/**'],
    rules: layer({
      packages: [...nodeBuiltins, 'react', 'react-dom', 'ws', 'zod', ...native],
      folders: ['**/main/**', '**/renderer/**', '**/worker/**', '**/grid/**'],
      paths: builtinPaths,
    }),
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: layer({
      packages: [...nodeBuiltins, 'electron', 'ws', ...native],
      folders: ['**/main/**', '**/worker/**', '**/preload/**', '**/grid/**'],
      paths: builtinPaths,
    }),
  },
)
