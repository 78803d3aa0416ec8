// @ts-check
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Bare builtin names ('fs', 'domain') are matched exactly, so a file named domain.ts stays importable.
const nodeBuiltins = ['node:*']
const builtinPaths = builtinModules.map((name) => ({ name, message: 'No Node built-ins in this layer.' }))
const native = ['better-sqlite3', 'node-llama-cpp']
/** node-llama-cpp's native engine: only the engine process may touch it (docs/ARCHITECTURE.md, layers). */
const nativeEngineNames = ['getLlama', 'LlamaChat', 'LlamaCompletion', 'LlamaChatSession', 'GgufInsights', 'TokenBias']

/** Builds a `no-restricted-imports` rule from forbidden packages and forbidden folders. */
function layer({ packages = [], folders = [], paths = [] }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths,
        patterns: [
          ...(packages.length ? [{ group: packages, message: 'This layer may not import this package (see docs/ARCHITECTURE.md).' }] : []),
          ...(folders.length ? [{ group: folders, message: 'This layer may not import that folder (see docs/ARCHITECTURE.md).' }] : []),
        ],
      },
    ],
  }
}

/** Packages only tests may use (viem is the second implementation the signing vectors are checked against). */
const testOnly = ['viem', 'viem/*']
/** What every module of src/main may not import: the renderer's and preload's code, React, test-only packages. */
const mainBase = { packages: ['react', 'react-dom', ...testOnly], folders: ['**/renderer/**', '**/preload/**'] }
const electronOnlyInShell = { name: 'electron', message: "Only src/main/electron may import 'electron'." }
const nativeOnlyInEngine = {
  name: 'node-llama-cpp',
  importNames: nativeEngineNames,
  message: 'The native engine lives only in the engine process (src/main/engine/llamaRuntime.ts).',
}
/** The files of the engine process that hold node-llama-cpp's native engine. */
const engineNativeFiles = [
  'src/main/engine/llamaRuntime.ts',
  'src/main/engine/engineProcess.ts',
  'src/main/engine/modelInspector.ts',
  'src/main/engine/draftModel.ts',
]

/**
 * Floors inside src/main: the shells (electron/, cli/, the headless server/) build
 * the host; host/ composes the features and wires their events to the transports; the features (chat,
 * earn, models, localApi, engine, readiness, identity, metrics) use store/ and lib/ but not each other, except the engine through its
 * public port (engine/engine.ts); store/ knows no feature; lib/ knows nothing else of main.
 */
const shells = ['**/electron/**', '**/cli/**', '**/server/**']
const shellFiles = ['src/main/electron/**', 'src/main/cli/**', 'src/main/cli.ts', 'src/main/server/**']
const features = ['chat', 'earn', 'models', 'localApi', 'engine', 'readiness', 'identity', 'metrics', 'alerts', 'advisor', 'bridge']
// The engine's port is public to every feature; src/grid/identity and src/worker/bridge share a feature's folder name only.
const publicFeatureFiles = ['!**/engine/engine.js', '!**/grid/identity/**', '!**/worker/bridge/**']
const featureFolders = (except) => features.filter((name) => name !== except).map((name) => `**/${name}/**`)

/** One no-restricted-imports rule per folder: ESLint keeps only the last matching block's options, so each carries the whole set. */
function mainLayers() {
  const rule = ({ folders = [], native = true, electron = true }) =>
    layer({
      ...mainBase,
      folders: [...mainBase.folders, ...folders],
      paths: [...(electron ? [electronOnlyInShell] : []), ...(native ? [nativeOnlyInEngine] : [])],
    })
  return [
    // A folder not named below (a new feature) gets the floor rule too: no host/, no shell.
    {
      files: ['src/main/**'],
      ignores: [...shellFiles, 'src/main/host/**', ...engineNativeFiles],
      rules: rule({ folders: ['**/host/**', ...shells] }),
    },
    { files: shellFiles, ignores: ['src/main/electron/**'], rules: rule({}) },
    { files: ['src/main/electron/**'], rules: layer(mainBase) },
    { files: ['src/main/host/**'], rules: rule({ folders: shells }) },
    ...features.map((name) => ({
      files: [`src/main/${name}/**`],
      ignores: name === 'engine' ? engineNativeFiles : [],
      rules: rule({ folders: ['**/host/**', ...shells, ...featureFolders(name), ...publicFeatureFiles] }),
    })),
    {
      files: engineNativeFiles,
      rules: rule({ folders: ['**/host/**', ...shells, ...featureFolders('engine')], native: false, electron: false }),
    },
    { files: ['src/main/store/**'], rules: rule({ folders: ['**/host/**', ...shells, ...features.map((name) => `**/${name}/**`)] }) },
    {
      files: ['src/main/lib/**'],
      rules: rule({ folders: ['**/host/**', ...shells, ...features.map((name) => `**/${name}/**`), '**/store/**'] }),
    },
  ]
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
      packages: ['electron', 'react', 'react-dom', ...native, ...testOnly],
      folders: ['**/main/**', '**/renderer/**', '**/preload/**', '**/worker/**'],
    }),
  },
  {
    files: ['src/worker/**'],
    rules: layer({
      packages: ['electron', 'react', 'react-dom', ...native, ...testOnly],
      folders: ['**/main/**', '**/renderer/**', '**/preload/**'],
    }),
  },
  ...mainLayers(),
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
