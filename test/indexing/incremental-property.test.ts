import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { latestIndexDatabase, random } from '../schema/schema-helpers.js'
import { tree, writeTree } from './indexing-helpers.js'

/**
 * Everything an index says, by path rather than by row id: what a cold index of the same tree must say too. (The
 * index's own bookkeeping, run records and times of indexing, aside.)
 */
function dump(database: Database.Database): Record<string, unknown[]> {
  const all = (sql: string) => database.prepare(sql).all()
  return {
    files: all(`SELECT path, filename, extension, language, size, mtime_ms, hash, line_count, status, status_reason FROM files ORDER BY path`),
    definitions: all(`
      SELECT f.path, d.name, d.kind, d.line, d.column, d.end_line, d.end_column, d.exported, d.docstring, d.signature, d.decorators,
        p.name AS parent_name, p.line AS parent_line
      FROM definitions d JOIN files f ON f.id = d.file_id LEFT JOIN definitions p ON p.id = d.parent_id
      ORDER BY f.path, d.line, d.column, d.name, d.kind`),
    imports: all(`
      SELECT f.path, i.module, i.kind, i.names, i.line, r.path AS resolved
      FROM imports i JOIN files f ON f.id = i.file_id LEFT JOIN files r ON r.id = i.resolved_file_id
      ORDER BY f.path, i.line, i.module, i.kind`),
    symbols: all(`
      SELECT f.path, s.name, s.kind, s.line, s.column, s.scope FROM symbols s JOIN files f ON f.id = s.file_id
      ORDER BY f.path, s.line, s.column, s.name, s.kind`),
    tags: all(`SELECT f.path, t.tag, t.weight, t.source FROM file_tags t JOIN files f ON f.id = t.file_id ORDER BY f.path, t.tag`),
    documents: all(`
      SELECT f.path, d.filename, d.path AS document_path, d.names, d.name_parts, d.imports, d.docstrings, d.tags
      FROM search_documents d JOIN files f ON f.id = d.file_id ORDER BY f.path`),
    contents: all(`SELECT f.path, c.content FROM file_contents c JOIN files f ON f.id = c.file_id ORDER BY f.path`),
    // The full-text indexes answer for every file as they would after a cold run.
    names: all(`SELECT f.path FROM search_index s JOIN files f ON f.id = s.rowid WHERE search_index MATCH 'names : widget' ORDER BY f.path`),
    mentions: all(`SELECT f.path FROM content_index c JOIN files f ON f.id = c.rowid WHERE content_index MATCH '"dget"' ORDER BY f.path`),
  }
}

it('an index kept current through random adds, changes, touches, renames and deletes says what a cold index of the final tree says', async () => {
  const next = random(11)
  const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
  const names = ['widget', 'Gadget', 'render_widget', 'parseConfig', 'helper', 'Store']
  const folders = ['src', 'src/lib', 'test', 'pkg']
  const source = (path: string): string => {
    const lines: string[] = []
    // Any path of the pool, there now or not: an import left unresolved is resolved once its file appears.
    const others = candidates.filter((other) => other !== path && /\.(ts|js)$/.test(other))
    if (path.endsWith('.py')) {
      for (let index = 0; index < 1 + Math.floor(next() * 3); index++) lines.push(`def ${pick(names).toLowerCase()}_${index}(x):\n    """A ${pick(names)}."""\n    return x`)
      return `${lines.join('\n')}\n`
    }
    if (path.endsWith('.txt')) return `notes on the ${pick(names)} and the ${pick(names)}\n`
    // Relative imports of files that exist now, or that will not (left unresolved), or that a later step adds.
    for (let index = 0; index < Math.floor(next() * 3); index++) {
      const target = others.length > 0 ? pick(others) : `${pick(folders)}/missing${index}.ts`
      lines.push(`import { ${pick(names)} } from '${relativeSpecifier(path, target)}'`)
    }
    for (let index = 0; index < 1 + Math.floor(next() * 3); index++) {
      const name = `${pick(names)}${index}`
      lines.push(next() < 0.5 ? `/** The ${name}. */\nexport function ${name}(a: number) { const b = a; return b }` : `class ${name} { field = 1; run() { return this.field } }`)
    }
    return `${lines.join('\n')}\n`
  }
  const files: Record<string, string> = {}
  const candidates = Array.from({ length: 50 }, (_, index) => `${folders[index % folders.length]}/${names[index % names.length]!.toLowerCase()}${index}.${['ts', 'ts', 'js', 'py', 'txt'][index % 5]}`)
  const newPath = () => pick(candidates)
  for (let index = 0; index < 25; index++) {
    const path = newPath()
    files[path] ??= source(path)
  }
  const root = tree(files)
  const kept = await latestIndexDatabase()
  await new Indexer(kept.database, { workers: 0 }).index(root)
  let stamp = 1_700_000_000
  for (let round = 0; round < 6; round++) {
    for (let step = 0; step < 6; step++) {
      const paths = Object.keys(files)
      const action = pick(['add', 'change', 'touch', 'rename', 'delete'] as const)
      if (action === 'add' || paths.length < 3) {
        const path = newPath()
        if (files[path] !== undefined) continue
        files[path] = source(path)
        writeTree(root, { [path]: files[path]! })
      } else if (action === 'change') {
        const path = pick(paths)
        files[path] = source(path)
        writeTree(root, { [path]: files[path]! })
        // A change within the same second and size is still seen: the time moves on.
        utimesSync(join(root, path), ++stamp, ++stamp)
      } else if (action === 'touch') {
        utimesSync(join(root, pick(paths)), ++stamp, ++stamp)
      } else if (action === 'rename') {
        const from = pick(paths)
        const to = newPath()
        if (files[to] !== undefined) continue
        writeTree(root, { [to]: '' })
        renameSync(join(root, from), join(root, to))
        files[to] = files[from]!
        delete files[from]
      } else {
        const path = pick(paths)
        rmSync(join(root, path))
        delete files[path]
      }
    }
    // The same indexer across runs (it keeps what it knows of the files table) or a new one (which reads it).
    const indexer = new Indexer(kept.database, { workers: 0 })
    await indexer.index(root)
    if (round % 2 === 0) await indexer.index(root)
  }
  const cold = await latestIndexDatabase()
  await new Indexer(cold.database, { workers: 0 }).index(root)
  const expected = dump(cold.database)
  expect(expected.files).toHaveLength(Object.keys(files).length)
  expect(dump(kept.database)).toEqual(expected)
})

/** The specifier `from` would write to import `to`: relative, with the extension the TypeScript way (`.js`) or none. */
function relativeSpecifier(from: string, to: string): string {
  const up = from.split('/').slice(0, -1)
  const target = to.split('/')
  let shared = 0
  while (shared < up.length && shared < target.length - 1 && up[shared] === target[shared]) shared++
  const steps = [...up.slice(shared).map(() => '..'), ...target.slice(shared)]
  const specifier = steps.join('/').replace(/\.ts$/, '.js')
  return specifier.startsWith('.') ? specifier : `./${specifier}`
}
