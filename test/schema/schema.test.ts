import { describe, expect, it } from 'vitest'
import { assertReversibleMigrations } from '../../src/migrator/index.js'
import { ftsIntegrityCheck, insertFile, latestIndexDatabase, matchIds, substringIds, newIndexDatabase } from './schema-helpers.js'

function schemaObjects(database: import('better-sqlite3').Database, type: string): string[] {
  return (
    database
      .prepare(`SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all(type) as Array<{ name: string }>
  ).map((row) => row.name)
}

describe('the schema at the latest migration', () => {
  it('has every table, FTS5 shadow table included, and nothing else', async () => {
    const { database } = await latestIndexDatabase()
    const fts = (name: string) => [`${name}_config`, `${name}_data`, `${name}_docsize`, `${name}_idx`]
    expect(schemaObjects(database, 'table')).toEqual(
      [
        'content_index',
        ...fts('content_index'),
        'definitions',
        'file_contents',
        'file_tags',
        'files',
        'imports',
        'index_runs',
        'index_settings',
        'kysely_migration',
        'kysely_migration_checksum',
        'kysely_migration_lock',
        'search_documents',
        'search_index',
        ...fts('search_index'),
        'symbols',
      ].sort(),
    )
  })

  it('indexes every foreign key and every lookup the services make', async () => {
    const { database } = await latestIndexDatabase()
    expect(schemaObjects(database, 'index')).toEqual([
      'definitions_file_id_index',
      'definitions_name_index',
      'definitions_name_key_index',
      'definitions_parent_id_index',
      'file_contents_file_id_index',
      'file_tags_tag_index',
      'files_filename_index',
      'files_language_index',
      'imports_file_id_index',
      'imports_module_index',
      'imports_resolved_file_id_index',
      'symbols_file_id_index',
    ])
    // files.path and file_tags (file_id, tag) are indexed by their UNIQUE constraints.
    const unique = database.prepare(`SELECT name FROM pragma_index_list('files') WHERE "unique" = 1`).all()
    expect(unique).toEqual([{ name: 'sqlite_autoindex_files_1' }])
    expect(database.prepare(`SELECT name FROM pragma_index_info('sqlite_autoindex_files_1')`).all()).toEqual([{ name: 'path' }])
    expect(database.prepare(`SELECT name FROM pragma_index_info('sqlite_autoindex_file_tags_1')`).all()).toEqual([
      { name: 'file_id' },
      { name: 'tag' },
    ])
  })

  it("a search's kind filter reads the candidates' definitions by file, not every definition of that kind", async () => {
    const { database } = await latestIndexDatabase()
    const plan = database
      .prepare(`EXPLAIN QUERY PLAN SELECT DISTINCT file_id FROM definitions WHERE file_id IN (?, ?, ?) AND kind IN (?)`)
      .all(1, 2, 3, 'function') as Array<{ detail: string }>
    expect(plan[0]!.detail).toBe('SEARCH definitions USING COVERING INDEX definitions_file_id_index (file_id=?)')
  })

  it("a search reads a page's definitions from definitions_file_id_index alone, not the table", async () => {
    const { database } = await latestIndexDatabase()
    const details = (sql: string) => (database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail)
    expect(
      details(`SELECT file_id, name, kind, line, end_line, exported FROM definitions WHERE file_id IN (1, 2) AND name LIKE '%a%' ORDER BY line, id`),
    ).toEqual(['SEARCH definitions USING COVERING INDEX definitions_file_id_index (file_id=?)', 'USE TEMP B-TREE FOR ORDER BY'])
    expect(
      details(`SELECT DISTINCT file_id FROM definitions WHERE file_id IN (1, 2) AND exported = 1 AND lower(name) IN ('a')`),
    ).toEqual(['SEARCH definitions USING COVERING INDEX definitions_file_id_index (file_id=? AND exported=?)'])
  })

  it('has the triggers that keep the search and content indexes in step', async () => {
    const { database } = await latestIndexDatabase()
    expect(schemaObjects(database, 'trigger')).toEqual([
      'file_contents_after_delete',
      'file_contents_after_insert',
      'file_contents_after_update',
      'file_contents_only_when_enabled',
      'files_after_rename_search_document',
      'index_settings_content_index_off',
      'search_documents_after_delete',
      'search_documents_after_insert',
      'search_documents_after_update',
    ])
  })

  it('cascades deletes from every child table to files', async () => {
    const { database } = await latestIndexDatabase()
    const cascades = database
      .prepare(
        `SELECT m.name AS child, f."from" AS column, f.on_delete AS onDelete
         FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f."table" = 'files' ORDER BY child, column`,
      )
      .all()
    expect(cascades).toEqual([
      { child: 'definitions', column: 'file_id', onDelete: 'CASCADE' },
      { child: 'file_contents', column: 'file_id', onDelete: 'CASCADE' },
      { child: 'file_tags', column: 'file_id', onDelete: 'CASCADE' },
      { child: 'imports', column: 'file_id', onDelete: 'CASCADE' },
      { child: 'imports', column: 'resolved_file_id', onDelete: 'SET NULL' },
      { child: 'search_documents', column: 'file_id', onDelete: 'CASCADE' },
      { child: 'symbols', column: 'file_id', onDelete: 'CASCADE' },
    ])
  })

  it('configures the search index with unicode61, _ as a token character and prefix indexes', async () => {
    const { database } = await latestIndexDatabase()
    const sql = (name: string) =>
      (database.prepare(`SELECT sql FROM sqlite_schema WHERE name = ?`).get(name) as { sql: string }).sql
    expect(sql('search_index')).toContain(`tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"`)
    expect(sql('search_index')).toContain(`prefix = '2 3 4'`)
    expect(sql('search_index')).toContain(`content = 'search_documents'`)
    expect(sql('content_index')).toContain(`tokenize = 'trigram'`)
    // Positions (detail=full): a phrase of trigrams is then an exact substring query, with no content read to confirm.
    expect(sql('content_index')).toContain('detail = full')
  })
})

describe('constraints', () => {
  const refused = (run: () => unknown) => expect(run).toThrow(/constraint failed/)

  it('refuses a definition kind the schema does not know', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database)
    const insert = database.prepare(
      `INSERT INTO definitions (file_id, name, kind, line, "column", end_line, end_column) VALUES (?, 'x', ?, 1, 0, 1, 1)`,
    )
    refused(() => insert.run(file, 'gadget'))
    expect(insert.run(file, 'function').changes).toBe(1)
  })

  it('refuses decorators that are not a JSON array, and import names that are not JSON', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database)
    refused(() =>
      database
        .prepare(
          `INSERT INTO definitions (file_id, name, kind, line, "column", end_line, end_column, decorators)
           VALUES (?, 'x', 'class', 1, 0, 1, 1, '{"not":"an array"}')`,
        )
        .run(file),
    )
    refused(() =>
      database.prepare(`INSERT INTO imports (file_id, module, kind, names, line) VALUES (?, 'kysely', 'import', '[oops', 1)`).run(file),
    )
  })

  it('refuses a boolean that is neither 0 nor 1, and an end before the start', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database)
    const insert = database.prepare(
      `INSERT INTO definitions (file_id, name, kind, line, "column", end_line, end_column, exported) VALUES (?, 'x', 'class', ?, 0, ?, 0, ?)`,
    )
    refused(() => insert.run(file, 1, 1, 2))
    refused(() => insert.run(file, 5, 4, 0))
  })

  it('refuses a negative tag weight, an unknown tag source and a duplicate tag on one file', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database)
    const insert = database.prepare(`INSERT INTO file_tags (file_id, tag, weight, source) VALUES (?, ?, ?, ?)`)
    refused(() => insert.run(file, 'hot', -0.5, 'user'))
    refused(() => insert.run(file, 'hot', 1, 'robot'))
    expect(insert.run(file, 'hot', 0, 'user').changes).toBe(1)
    refused(() => insert.run(file, 'hot', 2, 'auto'))
  })

  it('refuses an orphan child row', async () => {
    const { database } = await latestIndexDatabase()
    refused(() => database.prepare(`INSERT INTO symbols (file_id, name, kind, line, "column") VALUES (999, 'x', 'local', 1, 0)`).run())
  })

  it('refuses an absolute or Windows-style file path and a file status the schema does not know', async () => {
    const { database } = await latestIndexDatabase()
    refused(() => insertFile(database, '/etc/passwd'))
    refused(() => insertFile(database, 'src\\windows.ts'))
    const id = insertFile(database)
    refused(() => database.prepare(`UPDATE files SET status = 'Lost' WHERE id = ?`).run(id))
  })
})

describe('deleting a file', () => {
  it('removes its definitions, imports, symbols, tags, search document, content and index entries', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database, 'src/codebase-index.ts')
    const other = insertFile(database, 'src/other.ts')
    database
      .prepare(`INSERT INTO definitions (file_id, name, kind, line, "column", end_line, end_column) VALUES (?, 'CodebaseIndex', 'class', 1, 0, 9, 1)`)
      .run(file)
    database.prepare(`INSERT INTO imports (file_id, module, kind, line) VALUES (?, 'kysely', 'import', 1)`).run(file)
    database.prepare(`INSERT INTO imports (file_id, module, kind, line, resolved_file_id) VALUES (?, './codebase-index', 'import', 1, ?)`).run(other, file)
    database.prepare(`INSERT INTO symbols (file_id, name, kind, line, "column") VALUES (?, 'db', 'parameter', 2, 4)`).run(file)
    database.prepare(`INSERT INTO file_tags (file_id, tag, source) VALUES (?, 'core', 'user')`).run(file)
    database.prepare(`UPDATE search_documents SET names = 'CodebaseIndex', name_parts = 'codebase index' WHERE file_id = ?`).run(file)
    database.prepare(`INSERT INTO file_contents (file_id, content) VALUES (?, 'export class CodebaseIndex {}')`).run(file)
    expect(matchIds(database, 'search_index', 'codebase')).toEqual([file])
    expect(substringIds(database, 'aseInd')).toEqual([file])

    database.prepare(`DELETE FROM files WHERE id = ?`).run(file)

    const count = (table: string) => (database.prepare(`SELECT count(*) AS n FROM ${table} WHERE file_id = ?`).get(file) as { n: number }).n
    for (const table of ['definitions', 'imports', 'symbols', 'file_tags', 'search_documents', 'file_contents']) {
      expect({ table, rows: count(table) }).toEqual({ table, rows: 0 })
    }
    expect(matchIds(database, 'search_index', 'codebase')).toEqual([])
    expect(substringIds(database, 'aseInd')).toEqual([])
    expect(database.prepare(`SELECT resolved_file_id FROM imports WHERE file_id = ?`).get(other)).toEqual({ resolved_file_id: null })
    ftsIntegrityCheck(database, 'search_index')
    ftsIntegrityCheck(database, 'content_index')
  })

  it('renaming a file moves its search document with it', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database, 'src/old-name.ts')
    database.prepare(`UPDATE files SET path = 'lib/fresh-name.ts', filename = 'fresh-name.ts' WHERE id = ?`).run(file)
    expect(matchIds(database, 'search_index', 'path:lib')).toEqual([file])
    expect(matchIds(database, 'search_index', 'old')).toEqual([])
    ftsIntegrityCheck(database, 'search_index')
  })
})

describe('the content index', () => {
  it('answers LIKE substring queries from the trigram index', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database)
    insertFile(database)
    database.prepare(`INSERT INTO file_contents (file_id, content) VALUES (?, 'const createMigrator = 1')`).run(file)
    const plan = database.prepare(`EXPLAIN QUERY PLAN SELECT rowid FROM content_index WHERE content LIKE '%ateMigr%'`).all() as Array<{ detail: string }>
    expect(plan.map((row) => row.detail)).toEqual(['SCAN content_index VIRTUAL TABLE INDEX 0:L0'])
    expect(database.prepare(`SELECT rowid FROM content_index WHERE content LIKE '%ateMigr%'`).all()).toEqual([{ rowid: file }])
  })

  it('answers a phrase of trigrams with exactly the files holding it as a substring, in any case', async () => {
    const { database } = await latestIndexDatabase()
    const [exact, scattered, upper] = [insertFile(database), insertFile(database), insertFile(database)]
    const put = database.prepare(`INSERT INTO file_contents (file_id, content) VALUES (?, ?)`)
    put.run(exact, 'const createMigrator = 1')
    // Every trigram of 'ateMigr' (ate teM eMi Mig igr), none of them next to the others.
    put.run(scattered, 'ate; teMi; eMig; Migr; igr')
    put.run(upper, 'CREATEMIGRATOR')
    const match = (phrase: string) =>
      (database.prepare(`SELECT rowid FROM content_index WHERE content_index MATCH ? ORDER BY rowid`).all(phrase) as Array<{ rowid: number }>).map(
        (row) => row.rowid,
      )
    expect(match('"ateMigr"')).toEqual([exact, upper])
  })

  it('lists which files have content from an index of ids, not from the content rows', async () => {
    const { database } = await latestIndexDatabase()
    const plan = database.prepare(`EXPLAIN QUERY PLAN SELECT file_id FROM file_contents`).all() as Array<{ detail: string }>
    expect(plan.map((row) => row.detail)).toEqual(['SCAN file_contents USING COVERING INDEX file_contents_file_id_index'])
  })

  it('turned off, stores no content: existing content is dropped and new content refused', async () => {
    const { database } = await latestIndexDatabase()
    const file = insertFile(database)
    database.prepare(`INSERT INTO file_contents (file_id, content) VALUES (?, 'hello there')`).run(file)
    database.prepare(`UPDATE index_settings SET value = 'off' WHERE key = 'content_index'`).run()
    expect(database.prepare(`SELECT count(*) AS n FROM file_contents`).get()).toEqual({ n: 0 })
    expect(substringIds(database, 'hello')).toEqual([])
    expect(() => database.prepare(`INSERT INTO file_contents (file_id, content) VALUES (?, 'again')`).run(file)).toThrow(
      'the content index is off for this database',
    )
    ftsIntegrityCheck(database, 'content_index')
  })
})

describe('upgrading a database that holds data', () => {
  it('a database at migration 1 with files in it is searchable as soon as it reaches the latest', async () => {
    const { database, migrator } = newIndexDatabase()
    expect((await migrator.migrateTo('0001_initial_schema')).error).toBeUndefined()
    const file = insertFile(database, 'src/codebase-index.ts')
    const other = insertFile(database, 'src/unrelated.ts')
    const define = database.prepare(
      `INSERT INTO definitions (file_id, name, kind, line, "column", end_line, end_column, docstring) VALUES (?, ?, 'class', 1, 0, 2, 0, ?)`,
    )
    define.run(file, 'CodebaseIndex', 'Indexes a whole codebase.')
    define.run(other, 'parse_config_file', null)
    database.prepare(`INSERT INTO imports (file_id, module, kind, names, line) VALUES (?, 'better-sqlite3', 'import', '["Database"]', 1)`).run(file)

    expect((await migrator.migrateToLatest()).error).toBeUndefined()

    expect(matchIds(database, 'search_index', 'codebase index')).toEqual([file])
    expect(matchIds(database, 'search_index', 'names:CodebaseIndex')).toEqual([file])
    expect(matchIds(database, 'search_index', 'name_parts:(config AND file)')).toEqual([other])
    expect(matchIds(database, 'search_index', 'names:parse_config_file')).toEqual([other])
    expect(matchIds(database, 'search_index', 'docstrings:whole')).toEqual([file])
    expect(matchIds(database, 'search_index', 'imports:Database')).toEqual([file])
    ftsIntegrityCheck(database, 'search_index')
  })
})

describe('migrations', () => {
  it('every migration is reversible: up, down and up again give the same schema', async () => {
    const { db, migrator } = newIndexDatabase()
    expect(await assertReversibleMigrations({ migrator, db })).toEqual([
      '0001_initial_schema',
      '0002_search_index',
      '0003_content_index',
      '0004_slimmer_indexes',
      '0005_leaner_writes',
      '0006_content_positions',
      '0007_covering_definitions_index',
      '0008_definition_name_keys',
    ])
  })
})
