import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command, CommanderError } from 'commander'
import { commandOf, isCommandName, type CommandName } from './command-of.js'
import { CommandFailed, errorJson, printJson, processOutput, reportError, type Output } from './output.js'

type Adder = (program: Command, cwd: string, output: Output) => void

/**
 * Each command's module, loaded only when that command runs: a search should not pay for loading the indexer and its
 * parsers, nor the migrator. Every command is loaded for help.
 */
const COMMANDS: Readonly<Record<CommandName, () => Promise<ReadonlyArray<Adder>>>> = {
  migrate: async () => [(await import('./migrate-command.js')).addMigrateCommands],
  restore: async () => [(await import('./migrate-command.js')).addRestoreCommand],
  index: async () => [(await import('./index-command.js')).addIndexCommand],
  search: async () => [(await import('./search-command.js')).addSearchCommand],
  doctor: async () => [(await import('./maintenance-command.js')).addMaintenanceCommands],
  optimize: async () => [(await import('./maintenance-command.js')).addMaintenanceCommands],
  backup: async () => [(await import('./maintenance-command.js')).addMaintenanceCommands],
}

/** codeindex's version, from the package.json above this module (in src/cli/ from sources, dist/src/bin/ built). */
export function packageVersion(): string {
  for (let folder = dirname(fileURLToPath(import.meta.url)); ; folder = dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown }
      if (manifest.name === 'codeindex' && typeof manifest.version === 'string') return manifest.version
    } catch {
      // no package.json here, or not one that can be read
    }
    if (dirname(folder) === folder) return 'unknown'
  }
}

/**
 * Runs the CLI on `argv` (without node and script) and resolves to the exit code. Never throws: every failure becomes
 * one line on stderr (a stack trace too with `--debug`) and a non-zero code.
 */
export async function runCli(argv: ReadonlyArray<string>, output: Output = processOutput, cwd = process.cwd()): Promise<number> {
  const program = new Command('codeindex')
    .description('an embedded code index: migrate, index and search a codebase')
    .option('--db <path>', 'the index database (default: kysely.config.ts, else .codeindex/index.db)')
    .option('--migrations <folder>', "a folder of .ts/.js migrations to run instead of codeindex's own")
    .option('--backup-dir <folder>', 'where backups go (default: backups/ beside the database)')
    .option('--config <file>', 'the config file (default: kysely.config.* in the working directory)')
    .option('--json', 'print one JSON document on stdout')
    .option('--debug', 'log progress and print stack traces')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: output.stdout,
      writeErr: output.stderr,
      // commander's own `error: unknown option '--x'`, in the CLI's one-line form (help keeps commander's wording).
      outputError: (text, write) => write(`codeindex: INVALID_ARGUMENT: ${text.replace(/^error: /, '').trimEnd()}\n`),
    })
  try {
    const name = commandOf(argv)
    const load = isCommandName(name) ? COMMANDS[name] : undefined
    const adders = load ? await load() : (await Promise.all(Object.values(COMMANDS).map((loader) => loader()))).flat()
    for (const add of new Set(adders)) add(program, cwd, output)
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommandFailed) return error.exitCode
    if (error instanceof CommanderError) {
      // Help and the version exit 0; a usage error was printed by outputError, and --json gets its document too.
      if (error.exitCode !== 0 && argv.includes('--json')) {
        printJson(output, { ok: false, error: { code: 'INVALID_ARGUMENT', message: error.message.replace(/^error: /, '') } })
      }
      return error.exitCode
    }
    const options = program.opts<{ json?: boolean; debug?: boolean }>()
    if (options.json) printJson(output, errorJson(error))
    reportError(output, error, options.debug)
    return 1
  }
}
