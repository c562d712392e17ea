import { Command, CommanderError } from 'commander'
import { addIndexCommand } from './index-command.js'
import { addMigrateCommands, addRestoreCommand } from './migrate-command.js'
import { addSearchCommand } from './search-command.js'
import { CommandFailed, errorJson, errorLine, printJson, processOutput, type Output } from './output.js'

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
    .exitOverride()
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
  addMigrateCommands(program, cwd, output)
  addIndexCommand(program, cwd, output)
  addSearchCommand(program, cwd, output)
  addRestoreCommand(program, cwd, output)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommandFailed) return error.exitCode
    if (error instanceof CommanderError) return error.exitCode
    const options = program.opts<{ json?: boolean; debug?: boolean }>()
    if (options.json) printJson(output, errorJson(error))
    output.stderr(`${errorLine(error)}\n`)
    if (options.debug && error instanceof Error && error.stack) output.stderr(`${error.stack}\n`)
    return 1
  }
}
