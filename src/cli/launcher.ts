#!/usr/bin/env node
// The built CLI's entry (dist/src/bin/main.cjs): runs the CLI bundle beside it (cli.cjs) through V8's code cache,
// which spares compiling it again on every call. People and tools run `codeindex search` once per query. The launcher
// is CommonJS because Node's ES module loader costs a call about 5 ms more to start.
import { fileURLToPath } from 'node:url'
import { compiledCodeFolder } from '../migrator/private-folder.js'
import { commandOf, isCommandName } from './command-of.js'
import { loadCommonJs } from './compile-cache.js'
import type { runCli } from './program.js'

const argv = process.argv.slice(2)
const command = commandOf(argv)
const bundle = loadCommonJs(
  fileURLToPath(new URL('./cli.cjs', import.meta.url)),
  compiledCodeFolder(),
  // Left as import() in the CommonJS output (its argument is not a literal), so that ES modules load as such.
  (specifier) => import(specifier),
  isCommandName(command) ? command : 'other',
)
void (bundle.exports as { runCli: typeof runCli }).runCli(argv).then((exitCode) => {
  process.exitCode = exitCode
  bundle.saveCache()
})
