/** The CLI's commands: each has a module of its own, loaded when it runs. */
export const COMMAND_NAMES = ['migrate', 'restore', 'index', 'search', 'doctor', 'optimize', 'backup'] as const

export type CommandName = (typeof COMMAND_NAMES)[number]

const OPTIONS_WITH_VALUES = new Set(['--db', '--migrations', '--backup-dir', '--config'])

/** The command named in `argv` (without node and script): the first word that is neither an option nor an option's value. */
export function commandOf(argv: ReadonlyArray<string>): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!
    if (OPTIONS_WITH_VALUES.has(word)) index++
    else if (!word.startsWith('-')) return word
  }
  return undefined
}

/** Whether `word` names one of the CLI's commands. */
export function isCommandName(word: string | undefined): word is CommandName {
  return (COMMAND_NAMES as ReadonlyArray<string | undefined>).includes(word)
}
