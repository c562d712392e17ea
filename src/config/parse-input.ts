import en from 'zod/v4/locales/en.js'
import { array, config, gte, int, lte, maxLength, minLength, optional, strictObject, string, type ZodMiniType } from 'zod/mini'

// zod's tree-shakable build, named imports only, with its English messages only: the full build (or a namespace
// import, which keeps every locale) is most of a bundled CLI's load time.
config(en())

/** The zod builders codeindex validates its inputs with. */
export const z = { array, gte, int, lte, maxLength, minLength, optional, strictObject, string }

/**
 * Validates constructor props or options with zod and throws at once, as better-sqlite3 does, naming the argument:
 * `RangeError` for a value out of range, `TypeError` for anything else.
 */
export function parseInput<T>(owner: string, schema: ZodMiniType<T>, value: unknown, argument = 'input'): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const path = [argument, ...issue.path.map(String)].join('.')
  const message = `${owner}: ${path} ${issue.message}`
  throw issue.code === 'too_small' || issue.code === 'too_big' ? new RangeError(message) : new TypeError(message)
}
