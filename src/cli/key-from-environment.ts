import { CodeIndexError } from '../errors.js'

/** The backup key from the environment variable `name` (never from the command line, where shells keep history). */
export function keyFromEnvironment(name: string | undefined): string | undefined {
  if (name === undefined) return undefined
  const key = process.env[name]
  if (key === undefined || key === '') {
    throw new CodeIndexError('CONFIG_INVALID', `the environment variable ${name} named by --key-env is not set`)
  }
  return key
}
