// All raw FTS5 SQL of codeindex lives here: MATCH expressions, bm25 weights, the hidden rowid/rank columns. Everything
// else queries through Kysely against the generated DB types.
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { SnapshotReader } from '../db/read-snapshot.js'
import type { DB } from '../db/schema.generated.js'
import { splitWords } from '../indexing/split-words.js'
import type { QueryTerm } from './parse-query.js'

/**
 * bm25 weights of search_index's columns, in their order: filename, path, names, name_parts, imports, docstrings,
 * tags. An exact definition name counts most, then its words, then the file name, the path, and the rest.
 */
export const COLUMN_WEIGHTS = [4, 2, 10, 6, 1, 1, 1] as const
/** {@link COLUMN_WEIGHTS} as bm25's arguments. */
const WEIGHTS = sql.join(COLUMN_WEIGHTS.map((weight) => sql.lit(weight)))
export const DOCUMENT_COLUMNS = ['filename', 'path', 'names', 'name_parts', 'imports', 'docstrings', 'tags'] as const
export type DocumentColumn = (typeof DOCUMENT_COLUMNS)[number]

/** A string as an FTS5 string literal: the tokenizer splits it into a phrase, so no character is syntax. */
function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`
}

/** Whether the text holds anything the unicode61 tokenizer keeps as a token. */
function hasToken(text: string): boolean {
  return /[\p{L}\p{N}_]/u.test(text)
}

/** One term as an FTS5 expression: the term itself, or (for an identifier) its words among the name parts. */
function termExpression(term: QueryTerm): string | undefined {
  if (!hasToken(term.text)) return undefined
  const star = term.prefix ? '*' : ''
  if (term.definitionOnly) {
    // A name is exact for the term by its words too (`_gizmoValue` for `gizmoValue`, one token `_gizmovalue`); a def:
    // term is no prefix, so its one-character words cost no scan of the term list.
    const named = `{names name_parts} : ${quote(term.text)}`
    const words = splitWords(term.text)
    return words.length === 0 ? named : `(${named} OR {name_parts} : (${words.map(quote).join(' AND ')}))`
  }
  const whole = `${quote(term.text)}${star}`
  if (term.phrase) return whole
  // One-character words (`v` and `2` of `getV2`) match nearly everything and, as prefixes, scan the whole term list.
  const words = splitWords(term.text).filter((word) => word.length > 1)
  if (words.length < 2) return whole
  const parts = words.map((word, index) => `${quote(word)}${term.prefix && index === words.length - 1 ? '*' : ''}`).join(' AND ')
  return `(${whole} OR {name_parts filename path} : (${parts}))`
}

/** The MATCH expression that every included term must satisfy, or undefined when there is none. */
export function inclusionExpression(terms: ReadonlyArray<QueryTerm>): string | undefined {
  const parts = terms.filter((term) => !term.excluded).map(termExpression).filter((part) => part !== undefined)
  return parts.length === 0 ? undefined : parts.join(' AND ')
}

/** The MATCH expression any excluded term satisfies, or undefined. */
export function exclusionExpression(terms: ReadonlyArray<QueryTerm>): string | undefined {
  const parts = terms.filter((term) => term.excluded).map(termExpression).filter((part) => part !== undefined)
  return parts.length === 0 ? undefined : parts.join(' OR ')
}

export interface RankedFile {
  readonly fileId: number
  /** bm25 with {@link COLUMN_WEIGHTS}, negated: higher is better. */
  readonly score: number
}

/**
 * A search's filters as a condition on a file id, for the queries that choose its candidates: the candidates are the
 * best of the files the filters leave, not of all files. The id must be qualified (`search_index.rowid`, `c.file_id`):
 * the condition's subqueries have ids of their own (their tables are named `chosen_*`).
 */
export type FileFilter = (fileId: RawBuilder<unknown>) => RawBuilder<SqlBool>

/**
 * The filter for the files of any of `languages`, with any of `tags`, with a definition of any of `kinds`, on a path
 * matching any of the SQLite GLOB `pathPatterns`, among `fileIds` and not `excluding`, each when given, all at once;
 * undefined when there is none. Each is checked per candidate, through an index on the file id, so a query pays in
 * proportion to the files that match it. The sets are compared with a unary `+` on the id, which keeps an FTS5 table
 * from looking each of their ids up (50 ms against 1 ms for a common word).
 */
export function fileFilter(filters: {
  readonly languages: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
  readonly kinds: ReadonlyArray<string>
  readonly pathPatterns?: ReadonlyArray<string> | undefined
  readonly fileIds?: ReadonlyArray<number> | undefined
  /** A MATCH expression on search_index whose files are left out (the query's `-excluded` terms). */
  readonly excluding?: string | undefined
}): FileFilter | undefined {
  const { languages, tags, kinds, pathPatterns, fileIds, excluding } = filters
  const list = (values: ReadonlyArray<string>) => sql.join(values.map((value) => sql`${value}`))
  const ofFile = [
    ...(languages.length > 0 ? [sql`chosen_file.language IN (${list(languages)})`] : []),
    ...(pathPatterns !== undefined ? [anyGlob(sql`chosen_file.path`, pathPatterns)] : []),
  ]
  const parts: FileFilter[] = []
  if (ofFile.length > 0) parts.push((id) => sql<SqlBool>`EXISTS (SELECT 1 FROM files chosen_file WHERE chosen_file.id = ${id} AND ${sql.join(ofFile, sql` AND `)})`)
  if (tags.length > 0) parts.push((id) => sql<SqlBool>`EXISTS (SELECT 1 FROM file_tags chosen_tag WHERE chosen_tag.file_id = ${id} AND chosen_tag.tag IN (${list(tags)}))`)
  if (kinds.length > 0) parts.push((id) => sql<SqlBool>`EXISTS (SELECT 1 FROM definitions chosen_kind WHERE chosen_kind.file_id = ${id} AND chosen_kind.kind IN (${list(kinds)}))`)
  if (fileIds !== undefined) parts.push((id) => sql<SqlBool>`+${id} IN (SELECT value FROM json_each(${JSON.stringify(fileIds)}))`)
  if (excluding !== undefined) {
    parts.push((id) => sql<SqlBool>`+${id} NOT IN (SELECT rowid FROM search_index WHERE search_index MATCH ${excluding})`)
  }
  return parts.length === 0 ? undefined : (id) => sql<SqlBool>`(${sql.join(parts.map((part) => part(id)), sql` AND `)})`
}

/** `filter` (when given) and each of `checks` on the same file id. */
function alsoFilter(filter: FileFilter | undefined, checks: (id: RawBuilder<unknown>) => RawBuilder<SqlBool>[]): FileFilter {
  return (id) => sql<SqlBool>`(${sql.join([...(filter === undefined ? [] : [filter(id)]), ...checks(id)], sql` AND `)})`
}

/** `filter` (when given) and, for each of `tags`, that the file has the tag or (`false`) has not. */
export function tagsFilter(filter: FileFilter | undefined, tags: Readonly<Record<string, boolean>>): FileFilter {
  return alsoFilter(filter, (id) =>
    Object.entries(tags).map(
      ([tag, has]) => sql<SqlBool>`${has ? sql`` : sql`NOT`} EXISTS (SELECT 1 FROM file_tags chosen_class WHERE chosen_class.file_id = ${id} AND chosen_class.tag = ${tag})`,
    ),
  )
}

/** `filter` (when given) and that the file's search document matches `match`. */
export function matchingFilter(filter: FileFilter | undefined, match: string): FileFilter {
  return alsoFilter(filter, (id) => [sql<SqlBool>`+${id} IN (SELECT rowid FROM search_index WHERE search_index MATCH ${match})`])
}

/** Whether `path` matches any of the SQLite GLOB `patterns`. */
export function anyGlob(path: RawBuilder<unknown>, patterns: ReadonlyArray<string>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(patterns.map((pattern) => sql`${path} GLOB ${pattern}`), sql` OR `)})`
}

/** `AND` the filter on `fileId`, or nothing. */
function filtered(filter: FileFilter | undefined, fileId: RawBuilder<unknown>): RawBuilder<unknown> {
  return filter === undefined ? sql`` : sql`AND ${filter(fileId)}`
}

/**
 * The first `limit` files matching `match` (and `filter`) by file id, with their weighted bm25: every match when there
 * are fewer. Unsorted, so a word that most files hold costs `limit` scores, not one for each of its files; such a word
 * has its candidates taken by {@link boundedFiles} instead.
 */
export async function scoredFiles(reader: SnapshotReader<DB>, match: string, limit: number, filter?: FileFilter): Promise<RankedFile[]> {
  return reader.rows(sql<RankedFile>`
    SELECT rowid AS fileId, -bm25(search_index, ${WEIGHTS}) AS score
    FROM search_index WHERE search_index MATCH ${match} ${filtered(filter, sql`search_index.rowid`)}
    LIMIT ${limit}
  `)
}

/**
 * The most a file can score, term by term, as the search ranks it: `(tier + bm25 / (1 + bm25)) * exact * tags`.
 * Each part is the file's own or more: the tier is that of the first of `tiers` the file may be in, else `otherTier`;
 * the exact-name boost is `exported` for a file with an exported definition that may have one of `exactKeys` (see
 * {@link NAME_KEY}), `other` for one with any such definition, else 1; the tags' factors are exact.
 */
export interface ScoreBounds {
  /** Tiers from the best down, each with the files that may be in it; see {@link TierBound}. */
  readonly tiers: ReadonlyArray<TierBound>
  readonly otherTier: number
  /** The keys (lower-cased letters and digits) that an exact name has. */
  readonly exactKeys: ReadonlyArray<string>
  readonly exactBoosts: { readonly exported: number; readonly other: number }
  readonly lowering: Readonly<Record<string, number>>
}

/**
 * A tier and the files that may be in it: those whose column holds a phrase of the search's MATCH expression
 * (`byPhrase`: a column bm25 of the column alone tells, at no cost but its own), else those `match` matches, else any.
 */
export interface TierBound {
  readonly tier: number
  readonly column: TierColumn
  readonly byPhrase: boolean
  readonly match: string | undefined
}

/** The columns whose matches set a file's tier (the rest, docstrings, tags and imports, share the lowest). */
export type TierColumn = 'names' | 'name_parts' | 'filename' | 'path'

export interface BoundedFile extends RankedFile {
  /** The most the file can score: see {@link ScoreBounds}. */
  readonly bound: number
}

/**
 * The key definitions_name_key_index (migration 0008) orders definitions by, written exactly as there so that SQLite
 * uses the index: a name lower-cased without `_` and `$`, or `*` for a name holding anything else than ASCII letters,
 * digits, `_` and `$`. A name whose letters and digits, lower-cased, are `text` has `text` (ASCII) as its key, or `*`.
 */
const NAME_KEY = sql`(CASE WHEN name GLOB '*[^A-Za-z0-9_$]*' THEN '*' ELSE lower(replace(replace(name, '_', ''), '$', '')) END)`

/**
 * The conditions on a definition for its name to have one of `keys` (see {@link NAME_KEY}): on the key, through
 * definitions_name_key_index, and on a `*` name (which may have any key). For an ASCII key a `*` name is kept if it
 * holds the key's letters and digits in order (LIKE folds ASCII case; every name, for the empty key of a text with
 * none), or the Kelvin sign or a dotted capital I, the two that lower-case to ASCII letters; for any other key, it is
 * kept.
 */
function keyConditions(keys: ReadonlyArray<string>): { readonly keyed: RawBuilder<SqlBool>; readonly starred: RawBuilder<SqlBool> } {
  const ascii = keys.filter((key) => /^[\x00-\x7f]*$/.test(key))
  const loose =
    ascii.length < keys.length
      ? undefined
      : [...ascii.map((key) => sql`name LIKE ${`%${[...key].join('%')}%`}`), sql`name GLOB ${'*[\u212a\u0130]*'}`]
  return {
    keyed: sql<SqlBool>`${NAME_KEY} IN (${sql.join(ascii.length === 0 ? [sql`NULL`] : ascii.map((key) => sql`${key}`))})`,
    starred: sql<SqlBool>`${NAME_KEY} = '*' ${loose === undefined ? sql`` : sql`AND (${sql.join(loose, sql` OR `)})`}`,
  }
}

/** The files with a definition that may have one of `keys` (exported ones only with `exportedOnly`); see {@link NAME_KEY}. */
function keyedFiles(keys: ReadonlyArray<string>, exportedOnly: boolean): RawBuilder<unknown> {
  const exported = exportedOnly ? sql`AND exported = 1` : sql``
  const { keyed, starred } = keyConditions(keys)
  return sql`
    SELECT file_id FROM definitions WHERE ${keyed} ${exported}
    UNION ALL SELECT file_id FROM definitions WHERE ${starred} ${exported}
  `
}

/** A definition's file, its name, and whether it is exported (1) or not (0). */
export interface NamedDefinition {
  readonly fileId: number
  readonly name: string
  readonly exported: number
}

/**
 * The definitions of `fileIds` whose name may have one of `keys`: every one whose name is exact for a text with such a
 * key (see {@link NAME_KEY}), and a few more. Read from the definitions, not from the search documents' names, so that
 * a file's size changes nothing: a large file's names were found by FTS5, whose tokens keep a leading `_`.
 */
export async function keyedDefinitions(
  reader: SnapshotReader<DB>,
  keys: ReadonlyArray<string>,
  fileIds: ReadonlyArray<number>,
): Promise<NamedDefinition[]> {
  if (keys.length === 0 || fileIds.length === 0) return []
  const { keyed, starred } = keyConditions(keys)
  // Every value of exported, so that the key index is sought by all three of its columns.
  const among = sql`exported IN (0, 1) AND file_id IN (SELECT value FROM json_each(${JSON.stringify(fileIds)}))`
  return reader.rows(sql<NamedDefinition>`
    SELECT file_id AS fileId, name, exported FROM definitions WHERE ${keyed} AND ${among}
    UNION ALL SELECT file_id AS fileId, name, exported FROM definitions WHERE ${starred} AND ${among}
  `)
}

/**
 * Files matching `match` (and `filter`) whose {@link ScoreBounds bound} is `threshold` or more, the `limit` highest
 * bounds first. For a word that most files hold, BM25 is all but zero for every one of them, so the best by BM25 are
 * any; by bound, the files that define it and are exported come first.
 */
export async function boundedFiles(
  reader: SnapshotReader<DB>,
  match: string,
  bounds: ScoreBounds,
  reach: { readonly threshold: number; readonly limit: number },
  filter?: FileFilter,
): Promise<BoundedFile[]> {
  // Worked out as the matches are read, first tier first: a file's column bm25s past its tier are never computed.
  const cases: RawBuilder<unknown>[] = []
  let otherwise = bounds.otherTier
  for (const { tier, column, byPhrase, match: tierMatch } of bounds.tiers) {
    if (byPhrase) {
      // bm25 counts the phrases of the MATCH expression in the columns it weighs: one alone, and it is 0 without any.
      const alone = sql.join(DOCUMENT_COLUMNS.map((each) => sql.lit(each === column ? 1 : 0)))
      cases.push(sql`WHEN bm25(search_index, ${alone}) < 0 THEN ${tier}`)
    } else if (tierMatch !== undefined) {
      cases.push(sql`WHEN search_index.rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ${tierMatch}) THEN ${tier}`)
    } else {
      otherwise = tier
      break
    }
  }
  const tier = cases.length === 0 ? sql`${otherwise}` : sql`(CASE ${sql.join(cases, sql` `)} ELSE ${otherwise} END)`
  const { exactKeys, exactBoosts } = bounds
  const exact =
    exactKeys.length === 0
      ? sql`1`
      : sql`(CASE WHEN matched.file_id IN (${keyedFiles(exactKeys, true)}) THEN ${exactBoosts.exported}
            WHEN matched.file_id IN (${keyedFiles(exactKeys, false)}) THEN ${exactBoosts.other} ELSE 1 END)`
  // The files of a tag, listed once through file_tags_tag_index: a lookup for each match cost a few times as much.
  const tags = Object.entries(bounds.lowering).map(
    ([tag, factor]) => sql`(CASE WHEN matched.file_id IN (SELECT file_id FROM file_tags WHERE tag = ${tag}) THEN ${factor} ELSE 1 END)`,
  )
  return reader.rows(sql<BoundedFile>`
    WITH matched AS MATERIALIZED (
      SELECT rowid AS file_id, max(0, -bm25(search_index, ${WEIGHTS})) AS score, ${tier} AS tier
      FROM search_index WHERE search_index MATCH ${match} ${filtered(filter, sql`search_index.rowid`)}
    ), bounded AS MATERIALIZED (
      SELECT file_id, score, (tier + score / (1 + score)) * ${sql.join([exact, ...tags], sql` * `)} AS bound FROM matched
    )
    SELECT file_id AS fileId, score, bound FROM bounded WHERE bound >= ${reach.threshold}
    ORDER BY bound DESC, file_id LIMIT ${reach.limit}
  `)
}

/** Whether the trigram index answers `needle` alone: three characters or more. */
export function isTrigramNeedle(needle: string): boolean {
  return [...needle].length >= 3
}

/**
 * Files whose content holds every one of `needles` as a substring, case-insensitively. Needles of three characters or
 * more are answered by the trigram index alone: a phrase of a needle's trigrams at consecutive positions is the
 * needle, folded as the trigram tokenizer folds case (Unicode letters too). The tokenizer matches nothing for shorter
 * needles, so those are checked with instr() on the candidates (or, with no long needle at all, on every file's
 * content), where lower() folds ASCII letters only. The first `limit` of them by file id.
 */
export async function substringFiles(reader: SnapshotReader<DB>, needles: ReadonlyArray<string>, limit: number, filter?: FileFilter): Promise<number[]> {
  const long = needles.filter(isTrigramNeedle)
  const exactChecks = needles
    .filter((needle) => !isTrigramNeedle(needle))
    .map((needle) => sql`instr(lower(c.content), ${needle.toLowerCase()}) > 0`)
  if (long.length > 0) {
    const rows = await reader.rows(sql<{ fileId: number }>`
      SELECT t.rowid AS fileId FROM content_index t
      ${exactChecks.length > 0 ? sql`JOIN file_contents c ON c.file_id = t.rowid` : sql``}
      WHERE ${sql.join([sql`t.content_index MATCH ${long.map(quote).join(' AND ')}`, ...exactChecks], sql` AND `)} ${filtered(filter, sql`t.rowid`)}
      ORDER BY t.rowid LIMIT ${limit}
    `)
    return rows.map((row) => row.fileId)
  }
  if (exactChecks.length === 0) return []
  const rows = await reader.rows(sql<{ fileId: number }>`
    SELECT c.file_id AS fileId FROM file_contents c WHERE ${sql.join(exactChecks, sql` AND `)} ${filtered(filter, sql`c.file_id`)}
    ORDER BY c.file_id LIMIT ${limit}
  `)
  return rows.map((row) => row.fileId)
}

/** Of `candidates`, the files whose search document matches `match`. */
export async function filesAmong(reader: SnapshotReader<DB>, match: string | undefined, candidates: ReadonlyArray<number>): Promise<Set<number>> {
  if (match === undefined || candidates.length === 0) return new Set()
  const rows = await reader.rows(sql<{ fileId: number }>`
    SELECT rowid AS fileId FROM search_index
    WHERE search_index MATCH ${match} AND rowid IN (SELECT value FROM json_each(${JSON.stringify(candidates)}))
  `)
  return new Set(rows.map((row) => row.fileId))
}

/** A term as a column may hold it: its tokens (lower case), its words, and whether the last of each is a prefix. */
export interface HeldTerm {
  readonly tokens: ReadonlyArray<string>
  readonly words: ReadonlyArray<string>
  readonly prefix: boolean
}

/** The files whose column holds every term: see {@link columnHolding}. */
export interface ColumnHolding {
  /** A MATCH expression of those files, and maybe others; undefined when any file may be one. */
  readonly expression: string | undefined
  /** Whether every file the expression matches is one. */
  readonly exact: boolean
}

/** The columns that hold a term by its words as well as by its tokens, as the search checks a column. */
const BY_WORDS: ReadonlySet<DocumentColumn> = new Set(['name_parts', 'filename', 'path'])

/**
 * The files whose `column` holds every term as the search checks a small document's column: each of the term's tokens
 * anywhere in it (the last of a prefix term as a prefix), or, in the name parts, file name and path, each of its words
 * so; undefined when no file can (no term, or a term with neither, or no token where words do not count). One-character
 * words match nearly everything and, as prefixes, scan the whole term list: a term with one is matched without them,
 * by more files than hold it (not exact), and one with only such words by any file. (A file whose column holds a term
 * with diacritics, which FTS5 folds, matches an ASCII term too: the check of a small document does not fold them.)
 */
export function columnHolding(column: DocumentColumn, terms: ReadonlyArray<HeldTerm>): ColumnHolding | undefined {
  if (terms.length === 0) return undefined
  const all = (tokens: ReadonlyArray<string>, prefix: boolean) =>
    tokens.length === 0 ? undefined : `(${tokens.map((token, index) => `${quote(token)}${prefix && index === tokens.length - 1 ? '*' : ''}`).join(' AND ')})`
  const parts: string[] = []
  // FTS5 folds diacritics (`remove_diacritics 2`), the check of a small document does not: a term beyond ASCII finds
  // more files here.
  let exact = terms.every(({ tokens, words }) => [...tokens, ...words].every((text) => /^[\x00-\x7f]*$/.test(text)))
  for (const { tokens, words, prefix } of terms) {
    const whole = all(tokens, prefix)
    if (!BY_WORDS.has(column) || words.length === 0) {
      if (whole === undefined) return undefined
      parts.push(whole)
      continue
    }
    const longer = words.filter((word) => word.length > 1)
    if (longer.length < words.length) exact = false
    if (longer.length === 0) continue
    const byWords = all(longer, prefix && words[words.length - 1]!.length > 1)!
    parts.push(whole === undefined || whole === byWords ? byWords : `(${whole} OR ${byWords})`)
  }
  return { expression: parts.length === 0 ? undefined : `{${column}} : (${parts.join(' AND ')})`, exact }
}

/**
 * A MATCH expression that every file holding a definition that answers `terms` satisfies (the definitions a result
 * lists: the same name as a term, its words, or every term's words): for some term, its text among the names (as a
 * prefix for a prefix term), or its words among the name parts (the last as a prefix). Undefined when a term cannot
 * be put so: without a token, or a prefix of one character, which would scan the whole term list.
 */
export function definingExpression(terms: ReadonlyArray<QueryTerm>): string | undefined {
  const parts: string[] = []
  for (const term of terms) {
    const words = splitWords(term.text)
    if (!hasToken(term.text) || words.length === 0 || !words.every(hasToken)) return undefined
    if (term.prefix && (words[words.length - 1]!.length < 2 || !/[\p{L}\p{N}_]{2}$/u.test(term.text))) return undefined
    const star = term.prefix ? '*' : ''
    parts.push(`{names} : ${quote(term.text)}${star}`)
    parts.push(`{name_parts} : (${words.map((word, index) => `${quote(word)}${index === words.length - 1 ? star : ''}`).join(' AND ')})`)
  }
  return parts.length === 0 ? undefined : parts.join(' OR ')
}
