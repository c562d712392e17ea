import type Database from 'better-sqlite3'
import type {
  NewDefinitionRow,
  NewFileRow,
  NewImportRow,
  NewIndexRunRow,
  NewSymbolRow,
  NewSearchDocumentRow,
} from '../db/tables.js'
import type { FileAnalysis } from './analyze-file.js'
import { autoTags } from './auto-tags.js'
import { extensionOf } from './languages/registry.js'
import { splitWords } from './split-words.js'

/** Every column of an insert, spelled out: the generated types make defaulted columns optional, the writer does not. */
type Row<T> = { [K in keyof T]-?: Exclude<T[K], undefined> }

type FileParams = Row<Omit<NewFileRow, 'id'>>
type DefinitionParams = Row<Omit<NewDefinitionRow, 'id'>>
type ImportParams = Row<Omit<NewImportRow, 'id' | 'resolved_file_id'>>
type SymbolParams = Row<Omit<NewSymbolRow, 'id'>>
type DocumentParams = Row<NewSearchDocumentRow>
type RunParams = Row<Omit<NewIndexRunRow, 'id'>>

type KnownRow = [path: string, id: number, size: number, mtimeMs: number, hash: string | null, status: string]

interface KnownFilesCache {
  readonly files: Map<string, KnownFile>
  readonly paths: Map<number, string>
  /** `data_version:schema_version` when the files were read. */
  readonly dataVersion: string
  totalChanges: number
}

/** What the database holds about a file, as the incremental walk compares it. */
export interface KnownFile {
  readonly id: number
  readonly size: number
  readonly mtimeMs: number
  readonly hash: string | null
  readonly status: string
  readonly hasContent: boolean
}

/**
 * Merges each full-text index into one segment (FTS5 'optimize'). Every write transaction leaves a segment behind, and
 * a search reads every segment of a term; merging rewrites the whole index.
 */
export function mergeFullTextIndexes(database: Database.Database): void {
  database.prepare(`INSERT INTO search_index (search_index) VALUES ('optimize')`).run()
  database.prepare(`INSERT INTO content_index (content_index) VALUES ('optimize')`).run()
}

/**
 * Rows of one table held until {@link flush}, then inserted many to a statement. A statement whose trigger writes an
 * FTS5 index costs far more than its row (SQLite wraps a statement that fires triggers in a statement savepoint, and
 * the virtual table's savepoints are what a direct INSERT into it is spared): on the benchmark corpus the content index
 * took 5.9 s to write a row per statement, 3.9 s at 100 rows, and 3.7 s inserting into it directly. A row per
 * statement also pays better-sqlite3's cost per call: symbols went from 1.55 to 0.95 s at 20 rows per statement.
 */
class RowBatch<T extends object> {
  static readonly ROWS = 50
  readonly #database: Database.Database
  readonly #head: string
  readonly #tail: string
  readonly #columns: ReadonlyArray<keyof T & string>
  readonly #statements = new Map<number, Database.Statement<unknown[]>>()
  readonly #rows: T[] = []

  /** `INSERT INTO <table> (<columns>) VALUES (...), ... <tail>`, `ROWS` rows at most to a statement. */
  constructor(database: Database.Database, table: string, columns: ReadonlyArray<keyof T & string>, tail = '') {
    this.#database = database
    this.#head = `INSERT INTO ${table} (${columns.map((column) => `"${column}"`).join(', ')}) VALUES `
    this.#tail = tail
    this.#columns = columns
  }

  add(row: T): void {
    this.#rows.push(row)
  }

  flush(): void {
    const rows = this.#rows
    for (let start = 0; start < rows.length; start += RowBatch.ROWS) {
      const end = Math.min(rows.length, start + RowBatch.ROWS)
      const values: unknown[] = []
      for (let index = start; index < end; index++) for (const column of this.#columns) values.push(rows[index]![column])
      this.#statement(end - start).run(values)
    }
    rows.length = 0
  }

  /** Drops the rows not yet written (their transaction rolled back). */
  clear(): void {
    this.#rows.length = 0
  }

  #statement(count: number): Database.Statement<unknown[]> {
    let statement = this.#statements.get(count)
    if (!statement) {
      const row = `(${this.#columns.map(() => '?').join(', ')})`
      statement = this.#database.prepare(`${this.#head}${Array.from({ length: count }, () => row).join(', ')} ${this.#tail}`)
      this.#statements.set(count, statement)
    }
    return statement
  }
}

/**
 * The indexer's write path: prepared statements on the better-sqlite3 connection, reused for every row, with row
 * shapes typed by the generated `DB`. Kysely would re-prepare each statement, which measured 2-2.8x slower here for
 * bulk inserts. Callers wrap batches in {@link transaction}; nothing here reads a file or parses.
 */
export class IndexWriter {
  readonly #database: Database.Database
  readonly #upsertFile: Database.Statement<[FileParams], { id: number }>
  readonly #touchFile: Database.Statement<[{ id: number; size: number; mtime_ms: number }]>
  readonly #deleteFile: Database.Statement<[number]>
  readonly #deleteDefinitions: Database.Statement<[number]>
  readonly #deleteImports: Database.Statement<[number]>
  readonly #deleteSymbols: Database.Statement<[number]>
  readonly #insertDefinition: Database.Statement<[DefinitionParams]>
  readonly #insertImport: Database.Statement<[ImportParams]>
  readonly #symbols: RowBatch<SymbolParams>
  readonly #deleteAutoTags: Database.Statement<[number]>
  readonly #insertAutoTag: Database.Statement<[{ file_id: number; tag: string; weight: number }]>
  readonly #tagsOf: Database.Statement<[number], { tag: string }>
  readonly #documents: RowBatch<DocumentParams>
  readonly #contents: RowBatch<{ file_id: number; content: string }>
  /** Files whose rows wait in the batches above. */
  readonly #pending = new Set<number>()
  #inTransaction = false
  readonly #deleteContent: Database.Statement<[number]>
  readonly #insertRun: Database.Statement<[RunParams]>
  readonly #finishRun: Database.Statement<[RunParams & { id: number }]>
  readonly #totalChangesOf: Database.Statement<[], number>

  constructor(database: Database.Database) {
    this.#database = database
    // The default page cache (2 MB) makes every index insert a cache miss once the index outgrows it. On the benchmark
    // corpus 16 MB wrote as fast as 64 MB did, with 80 MB less peak RSS; 8 MB as fast again, with peak RSS 273-293 MB
    // against 293-321 MB for 16 MB.
    database.pragma('cache_size = -8192')
    this.#upsertFile = database.prepare(`
      INSERT INTO files (path, filename, extension, language, size, mtime_ms, hash, line_count, status, status_reason, indexed_at)
      VALUES (@path, @filename, @extension, @language, @size, @mtime_ms, @hash, @line_count, @status, @status_reason, @indexed_at)
      ON CONFLICT (path) DO UPDATE SET
        extension = excluded.extension, language = excluded.language, size = excluded.size,
        mtime_ms = excluded.mtime_ms, hash = excluded.hash, line_count = excluded.line_count, status = excluded.status,
        status_reason = excluded.status_reason, indexed_at = excluded.indexed_at
      RETURNING id`)
    this.#touchFile = database.prepare('UPDATE files SET size = @size, mtime_ms = @mtime_ms WHERE id = @id')
    this.#deleteFile = database.prepare('DELETE FROM files WHERE id = ?')
    this.#deleteDefinitions = database.prepare('DELETE FROM definitions WHERE file_id = ?')
    this.#deleteImports = database.prepare('DELETE FROM imports WHERE file_id = ?')
    this.#deleteSymbols = database.prepare('DELETE FROM symbols WHERE file_id = ?')
    this.#insertDefinition = database.prepare(`
      INSERT INTO definitions (file_id, parent_id, name, kind, line, "column", end_line, end_column, exported, docstring, signature, decorators)
      VALUES (@file_id, @parent_id, @name, @kind, @line, @column, @end_line, @end_column, @exported, @docstring, @signature, @decorators)`)
    this.#insertImport = database.prepare(
      'INSERT INTO imports (file_id, module, kind, names, line) VALUES (@file_id, @module, @kind, @names, @line)',
    )
    this.#symbols = new RowBatch(database, 'symbols', ['file_id', 'name', 'kind', 'line', 'column', 'scope'])
    this.#deleteAutoTags = database.prepare(`DELETE FROM file_tags WHERE file_id = ? AND source = 'auto'`)
    // A user's tag on the same file wins over the automatic one.
    this.#insertAutoTag = database.prepare(`
      INSERT INTO file_tags (file_id, tag, weight, source) VALUES (@file_id, @tag, @weight, 'auto')
      ON CONFLICT (file_id, tag) DO NOTHING`)
    this.#tagsOf = database.prepare('SELECT tag FROM file_tags WHERE file_id = ? ORDER BY weight DESC, tag')
    // The file's one search document, written once per change: search_index is updated by its triggers.
    this.#documents = new RowBatch(
      database,
      'search_documents',
      ['file_id', 'filename', 'path', 'names', 'name_parts', 'imports', 'docstrings', 'tags'],
      `ON CONFLICT (file_id) DO UPDATE SET
        names = excluded.names, name_parts = excluded.name_parts, imports = excluded.imports,
        docstrings = excluded.docstrings, tags = excluded.tags`,
    )
    this.#contents = new RowBatch(database, 'file_contents', ['file_id', 'content'], 'ON CONFLICT (file_id) DO UPDATE SET content = excluded.content')
    this.#deleteContent = database.prepare('DELETE FROM file_contents WHERE file_id = ?')
    this.#totalChangesOf = database.prepare<[], number>('SELECT total_changes()').pluck()
    this.#insertRun = database.prepare(`
      INSERT INTO index_runs (root, started_at, finished_at, status, files_seen, files_indexed, files_unchanged, files_skipped, files_failed, files_removed, duration_ms, error)
      VALUES (@root, @started_at, @finished_at, @status, @files_seen, @files_indexed, @files_unchanged, @files_skipped, @files_failed, @files_removed, @duration_ms, @error)`)
    this.#finishRun = database.prepare(`
      UPDATE index_runs SET finished_at = @finished_at, status = @status, files_seen = @files_seen, files_indexed = @files_indexed,
        files_unchanged = @files_unchanged, files_skipped = @files_skipped, files_failed = @files_failed,
        files_removed = @files_removed, duration_ms = @duration_ms, error = @error
      WHERE id = @id`)
  }

  /** Runs `work` in one transaction (BEGIN IMMEDIATE, so that a concurrent writer waits before, not during). */
  transaction<T>(work: () => T): T {
    // A row changed on this connection since the writer's last transaction, by someone else: the files may be stale.
    if (this.#known && this.#known.totalChanges !== this.#totalChanges()) this.#known = undefined
    try {
      const result = this.#database
        .transaction(() => {
          const outer = this.#inTransaction
          this.#inTransaction = true
          try {
            const value = work()
            this.#flush()
            return value
          } finally {
            this.#inTransaction = outer
          }
        })
        .immediate()
      if (this.#known) this.#known.totalChanges = this.#totalChanges()
      return result
    } catch (error) {
      this.#known = undefined
      for (const batch of [this.#symbols, this.#documents, this.#contents]) batch.clear()
      this.#pending.clear()
      throw error
    }
  }

  /** Writes the rows {@link write} batched, in the transaction they belong to. */
  #flush(): void {
    this.#symbols.flush()
    this.#documents.flush()
    this.#contents.flush()
    this.#pending.clear()
  }

  /**
   * The files table as of the last call, kept to spare a re-run reading every row: valid while no other connection
   * has committed (`PRAGMA data_version`), the schema is the same (`PRAGMA schema_version`: DDL counts no changes)
   * and this connection changed no row but through this writer (`total_changes()` as it stood after the writer's
   * last transaction). The files this writer wrote since are read again.
   */
  #known: KnownFilesCache | undefined
  readonly #changedFiles = new Set<number>()

  #totalChanges(): number {
    return this.#totalChangesOf.get()!
  }

  /** Every file the index knows, by path. */
  knownFiles(): Map<string, KnownFile> {
    const dataVersion = `${this.#database.pragma('data_version', { simple: true })}:${this.#database.pragma('schema_version', { simple: true })}`
    const cached = this.#known
    // After a run that wrote much of the tree (a first run), one scan is cheaper than as many lookups by id.
    const few = cached !== undefined && this.#changedFiles.size <= Math.max(1000, cached.files.size / 8)
    if (cached && few && cached.dataVersion === dataVersion && cached.totalChanges === this.#totalChanges()) {
      this.#refresh(cached, [...this.#changedFiles])
    } else {
      this.#known = this.#readKnownFiles(dataVersion)
    }
    this.#changedFiles.clear()
    return new Map(this.#known!.files)
  }

  #readKnownFiles(dataVersion: string): KnownFilesCache {
    // A scan of file_contents_file_id_index: the content rows themselves are the bulk of the database.
    const withContent = new Set(this.#database.prepare('SELECT file_id FROM file_contents').pluck().all() as number[])
    // Arrays, not objects keyed by column name: a re-run over 10,000 files reads every row.
    const rows = this.#database.prepare('SELECT path, id, size, mtime_ms, hash, status FROM files').raw().all() as KnownRow[]
    const files = new Map<string, KnownFile>()
    const paths = new Map<number, string>()
    for (const [path, id, size, mtimeMs, hash, status] of rows) {
      files.set(path, { id, size, mtimeMs, hash, status, hasContent: withContent.has(id) })
      paths.set(id, path)
    }
    return { files, paths, dataVersion, totalChanges: this.#totalChanges() }
  }

  #refresh(known: KnownFilesCache, ids: number[]): void {
    if (ids.length === 0) return
    const rows = this.#database
      .prepare(
        `SELECT f.path, f.id, f.size, f.mtime_ms, f.hash, f.status, EXISTS (SELECT 1 FROM file_contents c WHERE c.file_id = f.id)
         FROM files f WHERE f.id IN (SELECT value FROM json_each(?))`,
      )
      .raw()
      .all(JSON.stringify(ids)) as Array<[...KnownRow, number]>
    for (const id of ids) {
      const path = known.paths.get(id)
      if (path !== undefined) known.files.delete(path)
      known.paths.delete(id)
    }
    for (const [path, id, size, mtimeMs, hash, status, hasContent] of rows) {
      known.files.set(path, { id, size, mtimeMs, hash, status, hasContent: hasContent === 1 })
      known.paths.set(id, path)
    }
  }

  /** {@link mergeFullTextIndexes} on this writer's connection; callers wrap it in {@link transaction}. */
  mergeFullTextIndexes(): void {
    mergeFullTextIndexes(this.#database)
  }

  /** Whether the content index is on for this database. */
  contentIndexEnabled(): boolean {
    const row = this.#database.prepare(`SELECT value FROM index_settings WHERE key = 'content_index'`).get() as
      | { value: string }
      | undefined
    return row?.value !== 'off'
  }

  startRun(root: string, startedAt: Date): number {
    return Number(
      this.#insertRun.run({
        root,
        started_at: startedAt.toISOString(),
        finished_at: null,
        status: 'Running',
        files_seen: 0,
        files_indexed: 0,
        files_unchanged: 0,
        files_skipped: 0,
        files_failed: 0,
        files_removed: 0,
        duration_ms: null,
        error: null,
      }).lastInsertRowid,
    )
  }

  finishRun(id: number, params: Omit<RunParams, 'root' | 'started_at'>): void {
    this.#finishRun.run({ ...params, id, root: '', started_at: '' })
  }

  /** A file whose size or time changed but whose content did not. */
  touch(id: number, size: number, mtimeMs: number): void {
    this.#changedFiles.add(id)
    this.#touchFile.run({ id, size, mtime_ms: mtimeMs })
  }

  remove(id: number): void {
    if (this.#pending.has(id)) this.#flush()
    this.#changedFiles.add(id)
    this.#deleteFile.run(id)
  }

  /** Writes what analysis found about one file, replacing what the index held for it. Returns the file's id. */
  write(analysis: Exclude<FileAnalysis, { status: 'Unchanged' }>, mtimeMs: number, indexedAt: string): number {
    if (!this.#inTransaction) throw new TypeError('IndexWriter.write: call it inside transaction()')
    const { path } = analysis
    const filename = path.slice(path.lastIndexOf('/') + 1)
    const indexed = analysis.status === 'Indexed' ? analysis : undefined
    const { id } = this.#upsertFile.get({
      path,
      filename,
      extension: extensionOf(filename),
      language: indexed?.language ?? null,
      size: analysis.status === 'Failed' ? 0 : analysis.size,
      mtime_ms: mtimeMs,
      hash: analysis.status === 'Failed' ? null : analysis.hash,
      line_count: indexed?.lineCount ?? null,
      status: analysis.status,
      status_reason:
        analysis.status === 'Skipped' ? analysis.reason : analysis.status === 'Failed' ? analysis.reason : (indexed?.degraded ?? null),
      indexed_at: indexedAt,
    })!
    this.#changedFiles.add(id)
    // Its rows from earlier in this transaction go first, to be replaced as a committed file's are.
    if (this.#pending.has(id)) this.#flush()
    this.#pending.add(id)
    this.#deleteDefinitions.run(id)
    this.#deleteImports.run(id)
    this.#deleteSymbols.run(id)
    this.#deleteAutoTags.run(id)

    // Each read of these decodes them (see receivedAnalysis): once here.
    const extraction = indexed?.extraction
    const content = indexed?.content ?? null
    const definitionIds: number[] = []
    for (const definition of extraction?.definitions ?? []) {
      const parent = definition.parent === null ? null : (definitionIds[definition.parent] ?? null)
      definitionIds.push(
        Number(
          this.#insertDefinition.run({
            file_id: id,
            parent_id: parent,
            name: definition.name,
            kind: definition.kind,
            line: definition.line,
            column: definition.column,
            end_line: definition.endLine,
            end_column: definition.endColumn,
            exported: definition.exported ? 1 : 0,
            docstring: definition.docstring,
            signature: definition.signature,
            decorators: JSON.stringify(definition.decorators),
          }).lastInsertRowid,
        ),
      )
    }
    for (const entry of extraction?.imports ?? []) {
      this.#insertImport.run({ file_id: id, module: entry.module, kind: entry.kind, names: JSON.stringify(entry.names), line: entry.line })
    }
    for (const symbol of extraction?.symbols ?? []) {
      this.#symbols.add({
        file_id: id,
        name: symbol.name,
        kind: symbol.kind,
        line: symbol.line,
        column: symbol.column,
        scope: symbol.scope,
      })
    }
    for (const tag of autoTags(path, indexed?.language ?? null, extraction?.imports ?? [], content)) {
      this.#insertAutoTag.run({ file_id: id, tag: tag.tag, weight: tag.weight })
    }
    if (content !== null) this.#contents.add({ file_id: id, content })
    else this.#deleteContent.run(id)

    const definitions = extraction?.definitions ?? []
    const names = [...new Set(definitions.map((definition) => definition.name))]
    this.#documents.add({
      file_id: id,
      filename,
      path,
      names: namesColumn(names),
      name_parts: [...new Set(names.flatMap(splitWords))].join(' '),
      imports: [...new Set((extraction?.imports ?? []).flatMap((entry) => [entry.module, ...entry.names]))].join(' '),
      docstrings: definitions.flatMap((definition) => (definition.docstring ? [definition.docstring] : [])).join('\n'),
      tags: this.tagsOf(id).join(' '),
    })
    return id
  }

  #allFileIds(): (path: string) => number | undefined {
    const ids = new Map((this.#database.prepare('SELECT path, id FROM files').raw().all() as Array<[string, number]>))
    return (path) => ids.get(path)
  }

  #fileIdOf(): (path: string) => number | undefined {
    const statement = this.#database.prepare('SELECT id FROM files WHERE path = ?').pluck()
    return (path) => statement.get(path) as number | undefined
  }

  /** The tags of a file, user and automatic, heaviest first. */
  tagsOf(fileId: number): string[] {
    return this.#tagsOf.all(fileId).map((row) => row.tag)
  }

  /**
   * Sets `resolved_file_id` of every unresolved import written in one of `languages` that `resolver` can place (only
   * the imports of `onlyFiles`, when given). Returns how many it resolved.
   */
  resolveImports(
    languages: ReadonlyArray<string>,
    resolver: (module: string, fromPath: string, language: string, exists: (path: string) => boolean) => string | undefined,
    onlyFiles?: ReadonlyArray<number>,
  ): number {
    if (languages.length === 0 || onlyFiles?.length === 0) return 0
    const inLanguages = `f.language IN (${languages.map(() => '?').join(', ')})`
    // For given files, from their ids through imports_file_id_index (CROSS JOIN fixes that order: the planner would
    // rather walk every unresolved import by imports_resolved_file_id_index); otherwise a scan of the imports.
    const unresolved = this.#database
      .prepare(
        onlyFiles
          ? `SELECT i.id, i.module, f.path, f.language FROM json_each(?) AS j
             CROSS JOIN files f ON f.id = j.value CROSS JOIN imports i ON i.file_id = f.id
             WHERE i.resolved_file_id IS NULL AND ${inLanguages}`
          : `SELECT i.id, i.module, f.path, f.language FROM imports i JOIN files f ON f.id = i.file_id
             WHERE i.resolved_file_id IS NULL AND ${inLanguages}`,
      )
      .all(...(onlyFiles ? [JSON.stringify(onlyFiles)] : []), ...languages) as Array<{ id: number; module: string; path: string; language: string }>
    const update = this.#database.prepare('UPDATE imports SET resolved_file_id = ? WHERE id = ?')
    // A few imports (a re-run over a handful of files) look their candidates up one by one; many read every path once.
    const idOf = unresolved.length > 200 ? this.#allFileIds() : this.#fileIdOf()
    let resolved = 0
    for (const row of unresolved) {
      const target = resolver(row.module, row.path, row.language, (path) => idOf(path) !== undefined)
      const id = target === undefined ? undefined : idOf(target)
      if (id !== undefined && target !== row.path) {
        update.run(id, row.id)
        resolved++
      }
    }
    return resolved
  }

}

/**
 * A search document's `names`: one a line, since a name may hold spaces (C's `unsigned long`), and search reads a large
 * file's names whole to look them up. A name that holds a line break itself (a computed key written over lines) cannot
 * be told apart so: that document's names go between spaces, as before lines, and search scans the file's definitions.
 */
function namesColumn(names: ReadonlyArray<string>): string {
  if (names.some((name) => name.includes('\n'))) return names.map((name) => name.replace(/\n/g, ' ')).join(' ')
  // A line break marks the format: one name holding a space gets one after it, not to be read as names between spaces.
  return names.length === 1 && names[0]!.includes(' ') ? `${names[0]}\n` : names.join('\n')
}
