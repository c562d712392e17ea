import type { Kysely } from 'kysely'
import type { DB } from '../db/schema.generated.js'
import type { DefinitionKind, ImportKind } from '../db/tables.js'

export interface DefinitionLocation {
  readonly path: string
  readonly name: string
  readonly kind: DefinitionKind
  readonly line: number
  readonly endLine: number
  readonly exported: boolean
  readonly signature: string | null
}

export interface OutlineEntry extends Omit<DefinitionLocation, 'path'> {
  readonly children: ReadonlyArray<OutlineEntry>
}

export interface ImportEdge {
  /** The importing file. */
  readonly path: string
  readonly module: string
  readonly kind: ImportKind
  readonly names: ReadonlyArray<string>
  readonly line: number
  /** The indexed file the import resolves to, for a relative import. */
  readonly resolvedPath: string | null
}

const toLocation = (row: {
  path: string
  name: string
  kind: DefinitionKind
  line: number
  end_line: number
  exported: 0 | 1
  signature: string | null
}): DefinitionLocation => ({
  path: row.path,
  name: row.name,
  kind: row.kind,
  line: row.line,
  endLine: row.end_line,
  exported: row.exported === 1,
  signature: row.signature,
})

/**
 * Where `name` is defined, exported definitions first; optionally only of some kinds.
 *
 * ```ts
 * const [where] = await findDefinitions(db, 'GuardedMigrator', { kinds: ['class'] })
 * ```
 */
export async function findDefinitions(
  db: Kysely<DB>,
  name: string,
  options: { readonly kinds?: ReadonlyArray<DefinitionKind> | undefined } = {},
): Promise<ReadonlyArray<DefinitionLocation>> {
  const rows = await db
    .selectFrom('definitions')
    .innerJoin('files', 'files.id', 'definitions.file_id')
    .select(['files.path', 'definitions.name', 'definitions.kind', 'definitions.line', 'definitions.end_line', 'definitions.exported', 'definitions.signature'])
    .where('definitions.name', '=', name)
    .$if((options.kinds?.length ?? 0) > 0, (qb) => qb.where('definitions.kind', 'in', [...options.kinds!]))
    .orderBy('definitions.exported', 'desc')
    .orderBy('files.path')
    .orderBy('definitions.line')
    .execute()
  return rows.map(toLocation)
}

/** The definitions of one file, nested (methods inside their class), in source order; empty for an unknown path. */
export async function fileOutline(db: Kysely<DB>, path: string): Promise<ReadonlyArray<OutlineEntry>> {
  const rows = await db
    .selectFrom('definitions')
    .innerJoin('files', 'files.id', 'definitions.file_id')
    .select(['definitions.id', 'definitions.parent_id', 'files.path', 'definitions.name', 'definitions.kind', 'definitions.line', 'definitions.end_line', 'definitions.exported', 'definitions.signature'])
    .where('files.path', '=', path)
    .orderBy('definitions.line')
    .orderBy('definitions.column')
    .execute()
  const children = new Map<number | null, OutlineEntry[]>()
  for (const row of [...rows].reverse()) {
    const { path: _path, ...location } = toLocation(row)
    const entry: OutlineEntry = { ...location, children: (children.get(row.id) ?? []).reverse() }
    const siblings = children.get(row.parent_id) ?? []
    siblings.push(entry)
    children.set(row.parent_id, siblings)
  }
  return (children.get(null) ?? []).reverse()
}

async function imports(db: Kysely<DB>, filter: (qb: ReturnType<typeof importQuery>) => ReturnType<typeof importQuery>) {
  const rows = await filter(importQuery(db)).orderBy('files.path').orderBy('imports.line').execute()
  return rows.map((row): ImportEdge => ({
    path: row.path,
    module: row.module,
    kind: row.kind,
    names: JSON.parse(row.names) as string[],
    line: row.line,
    resolvedPath: row.resolvedPath,
  }))
}

function importQuery(db: Kysely<DB>) {
  return db
    .selectFrom('imports')
    .innerJoin('files', 'files.id', 'imports.file_id')
    .leftJoin('files as target', 'target.id', 'imports.resolved_file_id')
    .select(['files.path', 'imports.module', 'imports.kind', 'imports.names', 'imports.line', 'target.path as resolvedPath'])
}

/** Who imports a module (`kysely`) or an indexed file (`src/db/tables.ts`, through resolved relative imports). */
export function findImporters(db: Kysely<DB>, moduleOrPath: string): Promise<ReadonlyArray<ImportEdge>> {
  return imports(db, (qb) => qb.where((eb) => eb.or([eb('imports.module', '=', moduleOrPath), eb('target.path', '=', moduleOrPath)])))
}

/** What one file imports, in source order. */
export function importsOf(db: Kysely<DB>, path: string): Promise<ReadonlyArray<ImportEdge>> {
  return imports(db, (qb) => qb.where('files.path', '=', path))
}
