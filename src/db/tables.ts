// Row types of the code index, derived from the generated `DB` (never written by hand): `Xxx` is a row as selected,
// `NewXxx` a row as inserted, `XxxUpdate` a set of changes.
import type { Insertable, Selectable, Updateable } from 'kysely'
import type { DB } from './schema.generated.js'

export type FileRow = Selectable<DB['files']>
export type NewFileRow = Insertable<DB['files']>
export type FileRowUpdate = Updateable<DB['files']>

export type DefinitionRow = Selectable<DB['definitions']>
export type NewDefinitionRow = Insertable<DB['definitions']>

export type ImportRow = Selectable<DB['imports']>
export type NewImportRow = Insertable<DB['imports']>

export type SymbolRow = Selectable<DB['symbols']>
export type NewSymbolRow = Insertable<DB['symbols']>

export type FileTagRow = Selectable<DB['file_tags']>
export type NewFileTagRow = Insertable<DB['file_tags']>

export type IndexRunRow = Selectable<DB['index_runs']>
export type NewIndexRunRow = Insertable<DB['index_runs']>

export type SearchDocumentRow = Selectable<DB['search_documents']>
export type NewSearchDocumentRow = Insertable<DB['search_documents']>
export type SearchDocumentUpdate = Updateable<DB['search_documents']>

export type FileContentRow = Selectable<DB['file_contents']>
export type NewFileContentRow = Insertable<DB['file_contents']>

export type IndexSettingRow = Selectable<DB['index_settings']>

/** The enum-like columns' values, as the migrations' CHECK constraints allow them. */
export type DefinitionKind = DefinitionRow['kind']
export type ImportKind = ImportRow['kind']
export type SymbolKind = SymbolRow['kind']
export type FileStatus = FileRow['status']
export type IndexRunStatus = IndexRunRow['status']
export type TagSource = FileTagRow['source']
