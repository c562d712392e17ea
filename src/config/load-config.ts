import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { CodeIndexError } from '../errors.js'
import { importModule } from '../migrator/import-module.js'
import { configInputSchema, resolveConfig, type CodeIndexConfig, type CodeIndexConfigInput, type ResolvedCodeIndexConfig } from './define-config.js'
import { parseInput } from './parse-input.js'

const CONFIG_NAMES = ['kysely.config.ts', 'kysely.config.mts', 'kysely.config.js', 'kysely.config.mjs']

/** Finds the config file: `explicit` when given, else the first `kysely.config.*` in `cwd`. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit)
    if (!existsSync(file)) throw new CodeIndexError('CONFIG_INVALID', `the config file ${file} does not exist`)
    return file
  }
  return CONFIG_NAMES.map((name) => join(cwd, name)).find((file) => existsSync(file))
}

/**
 * Loads the codeindex settings of a `kysely.config.*` file (TypeScript through jiti). Throws `CONFIG_INVALID` for a
 * file that fails to load or was not made with `defineConfig` from codeindex.
 */
export async function loadConfig(file: string): Promise<ResolvedCodeIndexConfig> {
  let loaded: unknown
  try {
    const module = (await importModule(file, { keepTranspiled: true })) as { default?: unknown }
    loaded = module.default ?? module
  } catch (error) {
    throw new CodeIndexError('CONFIG_INVALID', `cannot load ${file}: ${(error as Error).message}`, { cause: error })
  }
  const settings = (loaded as Partial<CodeIndexConfig> | undefined)?.codeindex
  if (typeof settings !== 'object' || settings === null) {
    throw new CodeIndexError(
      'CONFIG_INVALID',
      `${file} does not export a codeindex config; use \`export default defineConfig({...})\` from codeindex`,
    )
  }
  // A config written without defineConfig is checked here: a misspelled key would otherwise be ignored.
  let checked: CodeIndexConfigInput
  try {
    checked = parseInput('the config', configInputSchema, settings, 'codeindex')
  } catch (error) {
    throw new CodeIndexError('CONFIG_INVALID', `${file}: ${(error as Error).message}`, { cause: error })
  }
  return resolveConfig(checked, dirname(file))
}
