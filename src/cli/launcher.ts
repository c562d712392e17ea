#!/usr/bin/env node
// The built CLI's entry (dist/src/bin/main.cjs): runs the CLI bundle beside it (cli.cjs) through V8's code cache,
// which spares compiling it again on every call. People and tools run `codeindex search` once per query. The launcher
// is CommonJS because Node's ES module loader costs a call about 5 ms more to start.
import { writeSync } from 'node:fs'
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
let finished = false
// A config or migration module whose top-level await never settles leaves nothing to run, and Node would exit 0
// with the command unfinished.
process.on('exit', () => {
  if (finished) return
  const message = 'the command never finished: a module it loaded (the config or a migration) waits on something that never happens'
  if (argv.includes('--json')) writeSync(1, `${JSON.stringify({ ok: false, error: { code: 'UNEXPECTED', message } }, null, 2)}\n`)
  writeSync(2, `codeindex: UNEXPECTED: ${message}\n`)
  process.exitCode = 1
})
void (bundle.exports as { runCli: typeof runCli }).runCli(argv).then((exitCode) => {
  finished = true
  bundle.saveCache()
  // The command is done: a timer or handle a loaded config or migration left behind does not keep the process up.
  process.exit(exitCode)
})
