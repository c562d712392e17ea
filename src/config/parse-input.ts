import type { z } from 'zod'

/**
 * Validates constructor props or options with zod and throws at once, as better-sqlite3 does, naming the argument:
 * `RangeError` for a value out of range, `TypeError` for anything else.
 */
export function parseInput<T>(owner: string, schema: z.ZodType<T>, value: unknown, argument = 'input'): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const path = [argument, ...issue.path.map(String)].join('.')
  const message = `${owner}: ${path} ${issue.message}`
  throw issue.code === 'too_small' || issue.code === 'too_big' ? new RangeError(message) : new TypeError(message)
}
