import { resolve } from 'node:path'
import type { Command } from 'commander'
import { createKysely } from '../db/create-kysely.js'
import { openDatabase } from '../db/open-database.js'
import { MAX_LIMIT, search, type SearchResult } from '../search/search.js'
import { loggedSearch } from '../search/search-log.js'
import { assertIndexed } from './assert-indexed.js'
import { printJson, stderrLogger, type Output } from './output.js'
import type { GlobalOptions } from './settings.js'

interface SearchCommandOptions {
  readonly limit?: string | undefined
}

function highlight(text: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  let out = ''
  let at = 0
  for (const [start, end] of ranges) {
    if (start < at) continue
    out += `${text.slice(at, start)}[${text.slice(start, end)}]`
    at = end
  }
  return out + text.slice(at)
}

function render(result: SearchResult): string {
  const head = [result.language ?? 'text', `score ${result.score.toFixed(2)}`, ...(result.matchedFields.length > 0 ? [result.matchedFields.join(' ')] : [])]
  const lines = [`${result.path}  (${head.join(', ')})`]
  for (const definition of result.definitions) {
    lines.push(`  ${String(definition.line).padStart(5)}  ${definition.kind} ${definition.name}${definition.exported ? ' (exported)' : ''}`)
  }
  for (const snippet of result.snippets) lines.push(`  ${String(snippet.line).padStart(5)}: ${highlight(snippet.text, snippet.highlights)}`)
  return lines.join('\n')
}

/** Adds `search <query...>` to `program`. */
export function addSearchCommand(program: Command, cwd: string, output: Output): void {
  program
    .command('search')
    .argument('<query...>', 'words, "phrases", -excluded, lang:ts, path:src/**, kind:function, tag:test, def:Name')
    .option('--limit <n>', 'how many files to show (default 10)')
    // `-word` excludes a word: it is part of the query, not an option commander does not know.
    .allowUnknownOption()
    .description('find where things are defined: the defining file first, with the lines that matched')
    .action(async (words: string[], options: SearchCommandOptions) => {
      const globals = program.opts<GlobalOptions>()
      // With --db there is nothing to read from kysely.config.ts: a search loads neither the config nor the migrator
      // (settings import it for the backup defaults).
      const settings =
        globals.db !== undefined ? { database: resolve(cwd, globals.db) } : await (await import('./settings.js')).resolveSettings(cwd, globals)
      assertIndexed(settings.database)
      const limit = options.limit === undefined ? 10 : Number(options.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new RangeError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${options.limit}"`)
      }
      const database = openDatabase(resolve(settings.database), { readonly: true })
      try {
        const query = words.join(' ')
        const logger = globals.debug ? stderrLogger(output) : undefined
        const { results } = await loggedSearch(logger, query, () => search(createKysely(database), query, { limit }))
        if (globals.json) {
          printJson(output, { results })
        } else if (results.length === 0) {
          output.stdout('no match\n')
        } else {
          output.stdout(`${results.map(render).join('\n')}\n`)
        }
      } finally {
        database.close()
      }
    })
}
