import { isAscii } from 'node:buffer'
import { sql, type Kysely } from 'kysely'
import { parseInput, z } from '../config/parse-input.js'
import type { DB } from '../db/schema.generated.js'
import type { DefinitionKind } from '../db/tables.js'
import { idsQuery, readSnapshot, type SnapshotReader } from '../db/read-snapshot.js'
import { CodeIndexError, databaseError } from '../errors.js'
import { splitWords } from '../indexing/split-words.js'
import {
  anyGlob,
  boundedFiles,
  columnHolding,
  definingExpression,
  DOCUMENT_COLUMNS,
  exclusionExpression,
  fileFilter,
  filesAmong,
  inclusionExpression,
  isTrigramNeedle,
  keyedDefinitions,
  matchingFilter,
  scoredFiles,
  substringFiles,
  tagsFilter,
  type DocumentColumn,
  type FileFilter,
  type HeldTerm,
  type RankedFile,
  type ScoreBounds,
  type TierBound,
  type TierColumn,
} from './fts-sql.js'
import { parseQuery, type QueryTerm } from './parse-query.js'
import { globSuperset, pathMatcher } from '../path-glob.js'
import { SearchError } from './search-error.js'
import { exactName, MAX_NAMES_LOOKED_UP, namesHolding, squash } from './names-column.js'

export interface SearchOptions {
  /** Results per page, 1-1000. Default 20. */
  readonly limit?: number | undefined
  readonly offset?: number | undefined
  /** Only files in these languages (`ts`, `typescript`, `py`, ...). */
  readonly languages?: ReadonlyArray<string> | undefined
  /** Only files whose path matches one of these globs. */
  readonly paths?: ReadonlyArray<string> | undefined
  /** Only files defining something of these kinds; the matching definitions are limited to them too. */
  readonly kinds?: ReadonlyArray<string> | undefined
  /** Only files with one of these tags. */
  readonly tags?: ReadonlyArray<string> | undefined
}

export interface MatchedDefinition {
  readonly name: string
  readonly kind: DefinitionKind
  readonly line: number
  readonly endLine: number
  readonly exported: boolean
}

export interface Snippet {
  /** 1-based line number in the file. */
  readonly line: number
  readonly text: string
  /** `[start, end)` offsets in `text` of each match. */
  readonly highlights: ReadonlyArray<readonly [number, number]>
}

export interface SearchResult {
  readonly path: string
  readonly language: string | null
  /** Higher is better; comparable within one result set only. */
  readonly score: number
  /** The fields of the file's search document that matched, plus `content` for a substring match. */
  readonly matchedFields: ReadonlyArray<DocumentColumn | 'content'>
  readonly definitions: ReadonlyArray<MatchedDefinition>
  readonly snippets: ReadonlyArray<Snippet>
}

export interface SearchResultSet {
  readonly query: string
  readonly results: ReadonlyArray<SearchResult>
  /** How many files matched in all (before limit and offset, within the candidate pool). */
  readonly total: number
  readonly durationMs: number
}

const LANGUAGE_ALIASES: Readonly<Record<string, string>> = {
  ts: 'typescript',
  mts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  py: 'python',
  rs: 'rust',
  rb: 'ruby',
  cs: 'csharp',
  'c#': 'csharp',
  'c++': 'cpp',
  cc: 'cpp',
  golang: 'go',
  md: 'markdown',
  yml: 'yaml',
}

const names = () => z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(64)))
/** The most results one search returns. */
export const MAX_LIMIT = 1000

const optionsSchema = z.strictObject({
  limit: z.optional(z.int().check(z.gte(1), z.lte(MAX_LIMIT))),
  offset: z.optional(z.int().check(z.gte(0), z.lte(100_000))),
  languages: names(),
  paths: names(),
  kinds: names(),
  tags: names(),
})

const MAX_SNIPPETS = 3
const MAX_DEFINITIONS = 10
const SNIPPET_WIDTH = 200
/** How much of a long line a snippet shows before a match that lies past its width. */
const SNIPPET_LEAD = 40
/**
 * Content is decoded a piece at a time, whole lines of about this many bytes, and only until the snippets are found:
 * V8 allocates a string of over 128 KB apart from the others, which cost about 1 ms each here, against 5 µs for 64 KB.
 */
const PIECE_BYTES = 65_536
const NEWLINE = 0x0a

/** The UTF-8 of the only two characters that fold to ASCII letters in a case-insensitive Unicode match: ſ and K. */
const LONG_S = Buffer.from('\u017f')
const KELVIN_SIGN = Buffer.from('\u212a')
const ASCII = /^[\x00-\x7f]*$/

/**
 * The snippets of content read as bytes (`CAST(content AS BLOB)`), decoded here a piece at a time rather than whole by
 * the driver. ASCII content seen as Latin-1 is the same string, and Latin-1 is the cheapest decoding. Other UTF-8 holds
 * an ASCII needle exactly where its bytes seen as Latin-1 do (a multi-byte character is made of bytes over 0x7f only),
 * unless it holds ſ or K, which match s and k: so with ASCII needles only the matching lines are decoded as UTF-8.
 */
function snippetsOfBytes(bytes: Buffer, needles: ReadonlyArray<string>): Snippet[] {
  const wanted = needles.filter((needle) => needle !== '')
  if (bytes.length === 0 || wanted.length === 0) return []
  const ascii = isAscii(bytes)
  const latin1 = ascii || (wanted.every((needle) => ASCII.test(needle)) && !bytes.includes(LONG_S) && !bytes.includes(KELVIN_SIGN))
  // A needle holding a line break matches across lines, and so across pieces: such a query decodes the content whole.
  const pieceBytes = wanted.some((needle) => needle.includes('\n')) ? bytes.length : PIECE_BYTES
  const snippets: Snippet[] = []
  // Pieces passed over are counted only if a later one matches: a file's pieces after its last match (all of them,
  // for a file in the page for its name or path alone) are scanned for the needles, never for their line breaks.
  let line = 1
  const uncounted: string[] = []
  const firstLine = (): number => {
    for (const passed of uncounted) line += lineBreaks(passed)
    uncounted.length = 0
    return line
  }
  for (let start = 0; start < bytes.length && snippets.length < MAX_SNIPPETS; ) {
    let end = Math.min(bytes.length, start + pieceBytes)
    if (end < bytes.length) {
      // Whole lines: a piece ends after its last line break, or (one line longer than a piece) after the next one.
      const lastBreak = bytes.lastIndexOf(NEWLINE, end - 1)
      const nextBreak = lastBreak >= start ? lastBreak : bytes.indexOf(NEWLINE, end)
      end = nextBreak === -1 ? bytes.length : nextBreak + 1
    }
    const piece = bytes.toString(latin1 ? 'latin1' : 'utf8', start, end)
    const from = start
    // A line's first SNIPPET_WIDTH UTF-16 units come from at most 3 bytes each; a window that starts inside a
    // character starts after it.
    const lineText = latin1 && !ascii
      ? (lineStart: number, lineEnd: number) => {
          let at = from + lineStart
          while (at < from + lineEnd && (bytes[at]! & 0xc0) === 0x80) at++
          return bytes.toString('utf8', at, Math.min(from + lineEnd, at + 3 * SNIPPET_WIDTH))
        }
      : undefined
    snippets.push(...snippetsOf(piece, wanted, { firstLine, room: MAX_SNIPPETS - snippets.length, lineText }))
    uncounted.push(piece)
    start = end
  }
  return snippets
}

function lineBreaks(text: string): number {
  let count = 0
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++
  return count
}

/**
 * Searches the index: the defining file first, with the lines that matched. Any string is a valid query: it yields
 * results, or a `SearchError` with a code and the position at fault; never a raw SQLite error.
 *
 * ```ts
 * const { results } = await search(db, 'codebase index lang:ts', { limit: 5 })
 * console.log(results[0]?.path, results[0]?.definitions[0]?.line)
 * ```
 */
export async function search(db: Kysely<DB>, query: string, options: SearchOptions = {}): Promise<SearchResultSet> {
  const started = performance.now()
  parseInput('search', optionsSchema, options, 'options')
  const parsed = parseQuery(query)
  const limit = options.limit ?? 20
  const offset = options.offset ?? 0
  const languages = [...parsed.languages, ...(options.languages ?? [])].map((language) => LANGUAGE_ALIASES[language.toLowerCase()] ?? language.toLowerCase())
  const pathMatchers = [...parsed.paths, ...(options.paths ?? [])]
  const kinds = [...parsed.kinds, ...(options.kinds ?? [])]
  const tags = [...parsed.tags, ...(options.tags ?? [])]
  const positive = parsed.terms.filter((term) => !term.excluded)
  const hasFilters = languages.length + pathMatchers.length + kinds.length + tags.length > 0
  const done = (results: SearchResult[], total: number): SearchResultSet => ({
    query,
    results,
    total,
    durationMs: performance.now() - started,
  })
  if (positive.length === 0 && parsed.terms.length === 0 && !hasFilters) return done([], 0)

  try {
    return await readSnapshot(db, async (reader) => {
      const matcher = pathMatchers.length === 0 ? undefined : pathMatcher(pathMatchers)
      if (matcher && 'refused' in matcher) {
        const at = query.indexOf(`path:${matcher.refused}`)
        throw new SearchError(
          'SEARCH_QUERY_INVALID',
          `the path ${matcher.reason}, which would take too long to match; use fewer`,
          { position: at === -1 ? undefined : at },
        )
      }
      // Candidates: every match, when no more than a few times the page match. Otherwise that many, those that can score
      // most (boundedFiles); and should the page not then be certain (a file left out could score as much as its last),
      // every file that can score that much, MAX_POOL at most.
      const wanted = offset + limit
      const pool = Math.min(MAX_POOL, wanted * 4 + 20)
      const include = inclusionExpression(parsed.terms)
      const needles = positive.filter((term) => !term.definitionOnly).map((term) => term.text)
      const definitionTerms = parsed.terms.filter((term) => term.definitionOnly)
      const textTerms = positive.filter((term) => !term.definitionOnly)
      const textForms = termForms(textTerms)
      // `guarded migrator` names GuardedMigrator as a whole, though no single word does.
      const queryWords = textTerms.flatMap((term) => splitWords(term.text)).join(' ')
      const isExact = (name: string) =>
        positive.some((term) => exactName(name, term)) || (queryWords !== '' && splitWords(name).join(' ') === queryWords)
      const exactTexts = [...positive.map((term) => term.text), ...(textTerms.length > 1 ? [queryWords] : [])]
      const definitionMatch = inclusionExpression(definitionTerms)
      const holdings = heldTerms(textForms)
      // A term of one token: the files whose names hold it hold its phrase there (the ranking finds a term's tokens
      // anywhere in a column, its phrase wants them together). The other tier columns hold that phrase too, or its words'
      // phrases, when those are how the MATCH expression puts it (termExpression). So a column bm25 tells which files may
      // be in a tier: for names and name parts, with that term alone (with more terms, a MATCH of the column tells the
      // files holding every one, far fewer); for the file name and path, with any such term among others (there a few
      // files too many cost less than the MATCH). With no term but def: ones, every file is in the lowest tier.
      const longWords = (words: ReadonlyArray<string>) => words.filter((word) => word.length > 1).length
      const phrased = textForms.filter(
        ({ term, whole, words }) =>
          whole.length === 1 && (words.length === 0 || (words.length === 1 && words[0] === whole[0]) || (!term.phrase && longWords(words) >= 2)),
      )
      const alone = textForms.length === 1 && definitionTerms.length === 0
      /** The keys of the names that may be exact (see keyedDefinitions). */
      const exactKeys = [...new Set(exactTexts.map(squash))]
      /** The tier of `column`, unless no file can be in it. */
      const tierBound = (column: TierColumn): TierBound[] => {
        const holding = columnHolding(column, holdings)
        if (holding === undefined) return []
        const byPhrase =
          column === 'names' ? alone && textForms[0]!.whole.length === 1 : column === 'name_parts' ? alone && phrased.length === 1 : phrased.length > 0
        return [{ tier: FIELD_TIERS[column], column, byPhrase, match: holding.expression }]
      }
      // Built only for a query whose matches outnumber the pool.
      let bounds: ScoreBounds | undefined
      const scoreBounds = (): ScoreBounds =>
        (bounds ??= {
          tiers: textForms.length === 0 ? [] : (['names', 'name_parts', 'filename', 'path'] as const).flatMap(tierBound),
          otherTier: FIELD_TIERS.docstrings,
          exactKeys,
          exactBoosts: EXACT_BOOSTS,
          lowering: LOWERING_TAGS,
        })
      /** Files' tags, by file id, read once for each file. */
      const tagged = new Map<number, Set<string>>()
      const readTags = async (fileIds: ReadonlyArray<number>) => {
        const unread = fileIds.filter((id) => !tagged.has(id))
        if (unread.length === 0) return
        for (const id of unread) tagged.set(id, new Set())
        for (const row of await tagsOf(reader, unread)) tagged.get(row.file_id)!.add(row.tag)
      }
      /**
       * The files whose content holds the needles, among those `filter` leaves: all of them, or (`saturated`) the first
       * `offset + limit` at least of the order they rank in among themselves (by their tags' boosts, then by id), with
       * perhaps others that rank after those. So every page takes its mentions from one order, whatever its pool.
       */
      const mentionFiles = async (filter: FileFilter | undefined) => {
        const found = await substringFiles(reader, needles, pool, filter)
        if (found.length < pool) return { found, saturated: false }
        // The first files by id hold the first files of the best class by id: enough of them, and no other can rank in.
        await readTags(found)
        if (found.filter((id) => tagsBoost(tagged.get(id)) === 1).length >= offset + limit) return { found, saturated: true }
        const ordered: number[] = []
        for (const tags of TAG_CLASSES) {
          const some = await substringFiles(reader, needles, pool, tagsFilter(filter, tags))
          ordered.push(...some)
          if (some.length >= pool) return { found: ordered, saturated: true }
        }
        return { found: ordered, saturated: false }
      }
      /**
       * The files matching best, `pool` at most of each kind, among those `filter` leaves; `saturated` if one kind filled
       * it, and `unseen`, the most a matching file left out can score (0: none was). With `reach`, the files that can score
       * `reach.threshold` or more, `reach.limit` at most.
       */
      const candidates = async (filter: FileFilter | undefined, reach?: Reach) => {
        const scores = new Map<number, number>()
        const substringOnly = new Set<number>()
        // The files whose content holds the one needle, when the trigram index has said which (all of them).
        let holding: Set<number> | undefined
        let saturated = false
        let unseen = 0
        if (include) {
          // Every match, when they fit in the pool; with more, they are taken by their bounds.
          let ranked: RankedFile[] = reach === undefined ? await scoredFiles(reader, include, pool, filter) : []
          if (reach !== undefined || ranked.length >= pool) {
            const taken = reach ?? { threshold: 0, limit: pool }
            const bounded = await boundedFiles(reader, include, scoreBounds(), taken, filter)
            if (bounded.length >= taken.limit) {
              saturated = true
              unseen = bounded[bounded.length - 1]!.bound
            }
            ranked = bounded
          }
          for (const { fileId, score } of ranked) scores.set(fileId, score)
        }
        if (needles.length > 0 && scores.size < wanted) {
          // Mentions in content rank after every match in the search document: needed only when those leave room.
          // With def: terms, among the files whose names may hold them: the definitions are checked on the candidates,
          // and the first mentions by id, with none of those, would leave the page short of files further on.
          const mentions = await mentionFiles(definitionMatch === undefined ? filter : matchingFilter(filter, definitionMatch))
          saturated ||= mentions.saturated
          if (!mentions.saturated && needles.length === 1 && isTrigramNeedle(needles[0]!)) holding = new Set(mentions.found)
          for (const fileId of mentions.found) {
            if (!scores.has(fileId)) {
              scores.set(fileId, 0)
              substringOnly.add(fileId)
            }
          }
        }
        if (positive.length === 0) {
          const all = await reader.rows(
            db
              .selectFrom('files')
              .select('id')
              .$if(filter !== undefined, (files) => files.where(filter!(sql.ref('files.id'))))
              .orderBy('path')
              .limit(pool)
          )
          saturated ||= all.length >= pool
          for (const { id } of all) scores.set(id, 0)
        }
        return { scores, substringOnly, holding, saturated, unseen }
      }
      // The filters choose the files the candidates come from: applied to the candidates instead, `index lang:rust` found
      // only the Rust files among the best few dozen of all the files holding the word. SQL narrows the paths by GLOB
      // where it can (a superset), and they are matched exactly here; should that leave a full pool of candidates short,
      // the candidates are chosen again among exactly the files on those paths.
      const supersets = pathMatchers.map(globSuperset)
      const pathPatterns = supersets.every((pattern) => pattern !== undefined) && supersets.length > 0 ? (supersets as string[]) : undefined
      // Excluded terms leave their files out of the candidates too, rather than out of the few dozen taken.
      const excluding = exclusionExpression(parsed.terms)
      const choose = async (fileIds: ReadonlyArray<number> | undefined, reach: Reach | undefined) => {
        const chosen = await candidates(fileFilter({ languages, tags, kinds, pathPatterns: fileIds ? undefined : pathPatterns, fileIds, excluding }), reach)
        const found = chosen.scores.size === 0 ? [] : await filesOf(reader, [...chosen.scores.keys()])
        const files = matcher ? found.filter((file) => matcher.matches(file.path)) : found
        return { ...chosen, files, short: chosen.saturated && files.length < found.length }
      }
      type Chosen = Awaited<ReturnType<typeof choose>>
      const chooseOnPaths = async (reach?: Reach) => {
        const chosen = await choose(undefined, reach)
        return chosen.short && matcher ? choose(await filesOnPaths(reader, pathPatterns, matcher.matches), reach) : chosen
      }
      /** The candidates ranked, with what the page needs of the ranking. */
      const rankCandidates = async (chosen: Chosen) => {
        const { scores, substringOnly, files } = chosen
        if (files.length === 0) {
          const none = new Set<number>()
          return { ranked: [], namesHits: none, partsHits: none, exactFiles: none, largeIds: none, namesRead: new Map<number, string>() }
        }
        const candidateIds = files.map((file) => file.id)
        await readTags(candidateIds)
        // Tiers: small documents are checked here; FTS5 column queries check the large ones, whose thousands of names
        // would cost more to read and split than the queries do (and a large one's names are read only where a query
        // cannot say exactly what the check asks: see largeColumnHits). The other way round, a small corpus's common
        // words make long posting lists for those queries.
        const heads = await headsOf(reader, candidateIds)
        const namesHits = new Set<number>()
        const partsHits = new Set<number>()
        const large: number[] = []
        /** Documents' names read so far, by file. */
        const namesRead = new Map<number, string>()
        for (const head of heads) {
          if (head.names === null || head.name_parts === null) {
            large.push(head.file_id)
            continue
          }
          const fields = matchedColumns({ names: head.names, name_parts: head.name_parts }, textForms, NAME_COLUMNS)
          if (fields.includes('names')) namesHits.add(head.file_id)
          if (fields.includes('name_parts')) partsHits.add(head.file_id)
          namesRead.set(head.file_id, head.names)
        }
        const largeIds = new Set(large)
        const [bigNames, bigParts] = await Promise.all(NAME_COLUMNS.map((column) => largeColumnHits(reader, column, textForms, large)))
        for (const id of bigNames!) namesHits.add(id)
        for (const id of bigParts!) partsHits.add(id)
        // Exact names, and those of def: terms, from the candidates' definitions whose names have the keys of the texts
        // typed: a few rows, whatever the size of the files.
        const exactFiles = new Set<number>()
        /** The files with an exported definition of an exact name. */
        const exportedExact = new Set<number>()
        const definitionHits = definitionTerms.map(() => new Set<number>())
        for (const { fileId, name, exported } of await keyedDefinitions(reader, exactKeys, candidateIds)) {
          if (isExact(name)) {
            exactFiles.add(fileId)
            if (exported === 1) exportedExact.add(fileId)
          }
          definitionTerms.forEach((term, index) => {
            if (exactName(name, term)) definitionHits[index]!.add(fileId)
          })
        }
        const ranked = files
          .filter((file) => definitionHits.every((hits) => hits.has(file.id)))
          .map((file) => {
            const fileTags = tagged.get(file.id)
            const place = { filename: file.path.slice(file.path.lastIndexOf('/') + 1), path: file.path }
            const tier = substringOnly.has(file.id)
              ? FIELD_TIERS.content
              : namesHits.has(file.id)
                ? FIELD_TIERS.names
                : partsHits.has(file.id)
                  ? FIELD_TIERS.name_parts
                  : Math.max(FIELD_TIERS.docstrings, ...matchedColumns(place, textForms, PLACE_COLUMNS).map((field) => FIELD_TIERS[field]))
            // The best field decides the tier (FIELD_TIERS); bm25 orders files within a tier.
            const bm25 = Math.max(0, scores.get(file.id)!)
            let score = (positive.length === 0 ? 0 : tier) + bm25 / (1 + bm25)
            // A mention in content is ranked by tags alone (then by id, below), the order mentionFiles takes them in.
            if (!substringOnly.has(file.id)) {
              if (exportedExact.has(file.id)) score *= EXACT_BOOSTS.exported
              else if (exactFiles.has(file.id)) score *= EXACT_BOOSTS.other
            }
            return { file, score: score * tagsBoost(fileTags) }
          })
          .sort((a, b) => b.score - a.score || (substringOnly.has(a.file.id) && substringOnly.has(b.file.id) ? a.file.id - b.file.id : byPath(a.file, b.file)))
        return { ranked, namesHits, partsHits, exactFiles, largeIds, namesRead }
      }
      let chosen = await chooseOnPaths()
      let ranking = await rankCandidates(chosen)
      // Certain when the page's last file scores more than any file left out can; else every file that can is taken.
      const last = ranking.ranked[wanted - 1]?.score ?? 0
      if (chosen.unseen > 0 && !(last > chosen.unseen * (1 + SCORE_SLACK))) {
        chosen = await chooseOnPaths({ threshold: last * (1 - SCORE_SLACK), limit: MAX_POOL })
        ranking = await rankCandidates(chosen)
      }
      const { ranked, namesHits, partsHits, exactFiles, largeIds, namesRead } = ranking
      const { substringOnly, holding } = chosen
      if (ranked.length === 0) return done([], 0)

      const page = ranked.slice(offset, offset + limit)
      const pageIds = page.map((entry) => entry.file.id)
      // A large file in the page with no definition that could answer the query (one there for its path or a mention in
      // its content) is not scanned for definitions: that scan, thousands of names through LIKE, was a tenth of a
      // node_modules query. Small files and files whose names matched are scanned as they are.
      const undecided =
        positive.length === 0 || definitionTerms.length > 0
          ? []
          : pageIds.filter((id) => largeIds.has(id) && !namesHits.has(id) && !partsHits.has(id) && !exactFiles.has(id))
      const defining = undecided.length === 0 ? undefined : definingExpression(positive)
      const definingHits = defining === undefined ? undefined : await filesAmong(reader, defining, undecided)
      const definingIds = definingHits === undefined ? pageIds : pageIds.filter((id) => !undecided.includes(id) || definingHits.has(id))
      // A definition is listed only if its name holds every word typed (and answers the query, see `own` below). SQLite
      // narrows by the ASCII words, JavaScript decides: LIKE folds the case of ASCII letters only.
      const mustHold = definitionTerms.length > 0 ? [] : [...new Set(textTerms.flatMap((term) => splitWords(term.text)))]
      const likeWords = mustHold.filter((word) => ASCII.test(word))
      const holdsAll = (name: string) => mustHold.length === 0 || mustHold.every((word) => name.toLowerCase().includes(word))
      const listed = (name: string) => holdsAll(name) && (isExact(name) || positive.every((term) => namesMatch(name, term)))
      // A page file's definitions are found by name when its names can be read whole and told apart (a small document's
      // were read above): the names that would be listed, found by the longest word typed, are looked up in the index;
      // none, and the file is not read. Otherwise (or with more names than that is worth) they are scanned.
      const namesFound = new Map<number, string[]>()
      if (mustHold.length > 0 && definingIds.length > 0) {
        const anchor = mustHold.reduce((longest, word) => (word.length > longest.length ? word : longest))
        const unread = definingIds.filter((id) => !namesRead.has(id))
        const documents = [
          ...definingIds.filter((id) => namesRead.has(id)).map((id) => ({ file_id: id, names: namesRead.get(id)! })),
          ...(unread.length === 0 ? [] : await namesOf(reader, unread)),
        ]
        for (const { file_id, names } of documents) {
          const found = namesHolding(names, anchor, listed)
          if (found !== undefined && found.length <= MAX_NAMES_LOOKED_UP) namesFound.set(file_id, found)
        }
      }
      const scannedIds = definingIds.filter((id) => !namesFound.has(id))
      const namedIds = definingIds.filter((id) => (namesFound.get(id)?.length ?? 0) > 0)
      const lookedUp = [...new Set(namedIds.flatMap((id) => namesFound.get(id)!))]
      // The definitions of `ids` that `narrow` keeps, in line order: id, as written in source order, breaks ties on a
      // line; both are in definitions_file_id_index.
      const definitionsOf = (ids: number[]) =>
        db
          .selectFrom('definitions')
          .select(['file_id', 'name', 'kind', 'line', 'end_line', 'exported'])
          .where('file_id', 'in', ids)
          .$if(kinds.length > 0, (query) => query.where('kind', 'in', kinds as DefinitionKind[]))
      type DefinitionQuery = ReturnType<typeof definitionsOf>
      const listing = async (ids: number[], narrow: (query: DefinitionQuery) => DefinitionQuery) =>
        ids.length === 0 ? [] : reader.rows(narrow(definitionsOf(ids)).orderBy('line').orderBy('id'))
      const [snippetsByFile, definitions, otherHits] =
        pageIds.length === 0
          ? [new Map<number, Snippet[]>(), [], OTHER_COLUMNS.map(() => new Set<number>())]
          : await Promise.all([
              // The trigram index folds case as the snippets' search does for an ASCII needle (ſ and K included): a file
              // it found no match in has no snippet, and its content is not read.
              pageSnippets(reader, holding === undefined || !ASCII.test(needles[0]!) ? pageIds : pageIds.filter((id) => holding.has(id)), needles),
              Promise.all([
                listing(scannedIds, (query) =>
                  likeWords.length === 0 ? query : query.where((eb) => eb.and(likeWords.map((word) => eb('name', 'like', `%${word}%`)))),
                ),
                // Every value of exported, so that the lookup seeks definitions_file_id_index by all three.
                listing(namedIds, (query) => query.where('exported', 'in', [0, 1]).where('name', 'in', lookedUp)),
              ]).then(([scanned, named]) => [...scanned, ...named]),
              otherColumnHits(reader, pageIds, positive),
            ])
      const results = page.map(({ file, score }): SearchResult => {
        const snippets = snippetsByFile.get(file.id) ?? []
        const place = { filename: file.path.slice(file.path.lastIndexOf('/') + 1), path: file.path }
        const fields: Array<DocumentColumn | 'content'> = [
          ...matchedColumns(place, textForms, PLACE_COLUMNS),
          ...(namesHits.has(file.id) ? (['names'] as const) : []),
          ...(partsHits.has(file.id) ? (['name_parts'] as const) : []),
          ...OTHER_COLUMNS.filter((_, index) => otherHits[index]!.has(file.id)),
        ].sort((a, b) => DOCUMENT_COLUMNS.indexOf(a) - DOCUMENT_COLUMNS.indexOf(b))
        if (substringOnly.has(file.id) || (fields.length === 0 && snippets.length > 0)) fields.push('content')
        const own = definitions.filter((definition) => definition.file_id === file.id && listed(definition.name))
        return {
          path: file.path,
          language: file.language,
          score,
          matchedFields: fields,
          definitions: own.slice(0, MAX_DEFINITIONS).map((definition) => ({
            name: definition.name,
            kind: definition.kind,
            line: definition.line,
            endLine: definition.end_line,
            exported: definition.exported === 1,
          })),
          snippets,
        }
      })
      return done(results, ranked.length)
    })
  } catch (error) {
    if (error instanceof SearchError || error instanceof TypeError || error instanceof RangeError) throw error
    // A foreign or corrupt file is not the query's fault: it gets the database's typed error.
    const message = (error as Error).message
    throw (
      databaseError(error, 'the index') ??
      // Neither is a database with no index in it (empty, another application's, or reset).
      (/^no such (table|column)\b/.test(message)
        ? new CodeIndexError('FILE_NOT_INDEXED', `the database holds no codeindex index (${message}); run \`codeindex index\``, { cause: error })
        : new SearchError('SEARCH_QUERY_INVALID', `the search could not run: ${message}`, { cause: error }))
    )
  }
}

/** The path and language of each of a list of files. */
const filesOf = idsQuery((db: Kysely<DB>, ids) => db.selectFrom('files').select(['id', 'path', 'language']).where('id', 'in', ids))

/** The tags of each of a list of files. */
const tagsOf = idsQuery((db: Kysely<DB>, ids) => db.selectFrom('file_tags').select(['file_id', 'tag']).where('file_id', 'in', ids))

/** The names of the search documents of a list of files. */
const namesOf = idsQuery((db: Kysely<DB>, ids) => db.selectFrom('search_documents').select(['file_id', 'names']).where('file_id', 'in', ids))

/** The names and name parts of the search documents of a list of files, of the small ones (null for the others). */
const headsOf = idsQuery((db: Kysely<DB>, ids) => {
  const small = sql<boolean>`octet_length(names) + octet_length(name_parts) <= ${SMALL_DOCUMENT}`
  return db
    .selectFrom('search_documents')
    .select([
      'file_id',
      sql<string | null>`CASE WHEN ${small} THEN names END`.as('names'),
      sql<string | null>`CASE WHEN ${small} THEN name_parts END`.as('name_parts'),
    ])
    .where('file_id', 'in', ids)
})

/** The imports, docstrings and tags of the search documents of a list of files, of the small ones (null for the others). */
const otherHeadsOf = idsQuery((db: Kysely<DB>, ids) => {
  const small = sql<boolean>`octet_length(imports) + octet_length(docstrings) + octet_length(tags) <= ${SMALL_DOCUMENT}`
  return db
    .selectFrom('search_documents')
    .select(['file_id', sql<string | null>`CASE WHEN ${small} THEN imports END`.as('imports')])
    .select(sql<string | null>`CASE WHEN ${small} THEN docstrings END`.as('docstrings'))
    .select(sql<string | null>`CASE WHEN ${small} THEN tags END`.as('tags'))
    .where('file_id', 'in', ids)
})

/** The content of each of a list of files, as bytes (see snippetsOfBytes). */
const contentsOf = idsQuery((db: Kysely<DB>, ids) =>
  db.selectFrom('file_contents').select(['file_id', sql<Buffer>`CAST(content AS BLOB)`.as('bytes')]).where('file_id', 'in', ids),
)

/** How far a second choice of candidates reaches: every file that can score `threshold` or more, `limit` at most. */
interface Reach {
  readonly threshold: number
  readonly limit: number
}

/** The most candidates ranked for one page. */
const MAX_POOL = 2000

/** Relative slack between a bound SQLite computes and a score computed here from the same parts, in another order. */
const SCORE_SLACK = 1e-12

/** The exact-name boosts: for a file with an exported definition of that name, and for one with any. */
const EXACT_BOOSTS = { exported: 1.5, other: 1.25 } as const

/** Tags that lower a file's score, by the factor each applies (a file with both, by both). */
const LOWERING_TAGS: Readonly<Record<string, number>> = { test: 0.7, generated: 0.6 }

/** The factor the lowering tags among `tags` apply. */
function tagsBoost(tags: ReadonlySet<string> | undefined): number {
  let boost = 1
  for (const [tag, factor] of Object.entries(LOWERING_TAGS)) if (tags?.has(tag)) boost *= factor
  return boost
}

/** Each set of lowering tags a file can have, by the factor it leaves (1, 0.7, 0.6, 0.42): the content tier's classes. */
const TAG_CLASSES: ReadonlyArray<Readonly<Record<string, boolean>>> = [
  { test: false, generated: false },
  { test: true, generated: false },
  { test: false, generated: true },
  { test: true, generated: true },
]

function byPath(a: { readonly path: string }, b: { readonly path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0
}

/** Tier of each field: an exact definition name beats name parts, then filename, path, the rest, then content. */
const FIELD_TIERS: Readonly<Record<DocumentColumn | 'content', number>> = {
  names: 100,
  name_parts: 60,
  filename: 40,
  path: 20,
  docstrings: 10,
  tags: 10,
  imports: 10,
  content: 1,
}

const TOKEN = /[\p{L}\p{N}_]+/gu
const TOKEN_CHAR = /[\p{L}\p{N}_]/u

function tokensOf(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? []
}

/** Whether `lower` (lower-cased text) holds `token` as a whole token, or as the start of one with `prefix`. */
function containsToken(lower: string, token: string, prefix: boolean): boolean {
  for (let at = lower.indexOf(token); at !== -1; at = lower.indexOf(token, at + 1)) {
    const before = at === 0 ? '' : lower[at - 1]!
    const after = lower[at + token.length] ?? ''
    if ((before === '' || !TOKEN_CHAR.test(before)) && (prefix || after === '' || !TOKEN_CHAR.test(after))) return true
  }
  return false
}

const PLACE_COLUMNS = ['filename', 'path'] as const
const NAME_COLUMNS = ['names', 'name_parts'] as const
/**
 * Documents whose names and name parts take more bytes than this are ranked with FTS5 column queries instead. Bytes,
 * not characters: `octet_length()` reads a value's size from the record header, where `length()` reads every page of
 * a large document to count its characters.
 */
const SMALL_DOCUMENT = 8192
const OTHER_COLUMNS = ['imports', 'docstrings', 'tags'] as const

/** The columns in which every term's tokens occur (name parts, file names and paths also by the term's words). */
function matchedColumns<C extends DocumentColumn>(
  document: Readonly<Record<C, string>>,
  forms: ReadonlyArray<TermForms>,
  columns: ReadonlyArray<C>,
): DocumentColumn[] {
  const matched: DocumentColumn[] = []
  if (forms.length === 0) return matched
  for (const column of columns) {
    const lower = document[column].toLowerCase()
    const has = (tokens: ReadonlyArray<string>, prefix: boolean) =>
      tokens.length > 0 && tokens.every((token, index) => containsToken(lower, token, prefix && index === tokens.length - 1))
    const byWords = column === 'name_parts' || column === 'filename' || column === 'path'
    if (forms.every(({ term, whole, words }) => has(whole, term.prefix) || (byWords && has(words, term.prefix)))) matched.push(column)
  }
  return matched
}

/** A term with its tokens as written and its words, as {@link matchedColumns} looks for them. */
interface TermForms {
  readonly term: QueryTerm
  readonly whole: ReadonlyArray<string>
  readonly words: ReadonlyArray<string>
}

function termForms(terms: ReadonlyArray<QueryTerm>): TermForms[] {
  return terms.map((term) => ({ term, whole: tokensOf(term.text), words: splitWords(term.text) }))
}

/** Terms as FTS5 column queries look for them (see columnHolding). */
function heldTerms(forms: ReadonlyArray<TermForms>): HeldTerm[] {
  return forms.map(({ term, whole, words }) => ({ tokens: whole, words, prefix: term.prefix }))
}

/**
 * The ids of the files whose path `matches`, of those matching any of the SQLite GLOB `patterns` when given (over the
 * index on the path where they start with literals).
 */
async function filesOnPaths(reader: SnapshotReader<DB>, patterns: ReadonlyArray<string> | undefined, matches: (path: string) => boolean): Promise<number[]> {
  const rows = await reader.rows(
    reader.db
      .selectFrom('files')
      .select(['id', 'path'])
      .$if(patterns !== undefined, (files) => files.where(anyGlob(sql.ref('files.path'), patterns!)))
  )
  return rows.filter((row) => matches(row.path)).map((row) => row.id)
}

/**
 * The snippets of each of `fileIds`. Contents are read as bytes, which costs a copy, and decoded only as far as the
 * third matching line: a file in the page for its name or path alone costs a scan of its pieces.
 */
async function pageSnippets(reader: SnapshotReader<DB>, fileIds: ReadonlyArray<number>, needles: ReadonlyArray<string>): Promise<Map<number, Snippet[]>> {
  const snippets = new Map<number, Snippet[]>()
  if (needles.length === 0) return snippets
  const rows = await contentsOf(reader, fileIds)
  for (const row of rows) snippets.set(row.file_id, snippetsOfBytes(row.bytes, needles))
  return snippets
}

/**
 * For each of {@link OTHER_COLUMNS}, the files of `fileIds` in which every term occurs. A small document is read and
 * checked here (a few rows); a large one is left to an FTS5 column query.
 */
async function otherColumnHits(reader: SnapshotReader<DB>, fileIds: ReadonlyArray<number>, terms: ReadonlyArray<QueryTerm>): Promise<Array<Set<number>>> {
  const hits = OTHER_COLUMNS.map(() => new Set<number>())
  const forms = termForms(terms)
  const rows = await otherHeadsOf(reader, fileIds)
  const large: number[] = []
  for (const row of rows) {
    if (row.imports === null || row.docstrings === null || row.tags === null) {
      large.push(row.file_id)
      continue
    }
    const matched = matchedColumns({ imports: row.imports, docstrings: row.docstrings, tags: row.tags }, forms, OTHER_COLUMNS)
    OTHER_COLUMNS.forEach((column, index) => {
      if (matched.includes(column)) hits[index]!.add(row.file_id)
    })
  }
  const fromIndex = await Promise.all(OTHER_COLUMNS.map((column) => largeColumnHits(reader, column, forms, large)))
  fromIndex.forEach((ids, index) => {
    for (const id of ids) hits[index]!.add(id)
  })
  return hits
}

/**
 * Of the large documents `fileIds`, those whose `column` holds the terms as {@link matchedColumns} checks a small
 * document's: an FTS5 column query tells, and where it cannot tell exactly (see columnHolding), the column of each file
 * it found is read and checked so.
 */
async function largeColumnHits(
  reader: SnapshotReader<DB>,
  column: DocumentColumn,
  forms: ReadonlyArray<TermForms>,
  fileIds: ReadonlyArray<number>,
): Promise<Set<number>> {
  const holding = fileIds.length === 0 ? undefined : columnHolding(column, heldTerms(forms))
  if (holding === undefined) return new Set()
  const found = holding.expression === undefined ? new Set(fileIds) : await filesAmong(reader, holding.expression, fileIds)
  if (holding.exact || found.size === 0) return found
  const documents = await reader.rows(reader.db.selectFrom('search_documents').select(['file_id', column]).where('file_id', 'in', [...found]))
  return new Set(documents.filter((document) => matchedColumns(document, forms, [column]).length > 0).map((document) => document.file_id))
}

/** Whether a definition name answers a term: the same name, its words, or (for the last word typed) a prefix. */
function namesMatch(name: string, term: QueryTerm): boolean {
  const lower = name.toLowerCase()
  const text = term.text.toLowerCase()
  if (lower === text || (term.prefix && lower.startsWith(text))) return true
  const words = splitWords(term.text)
  if (words.length === 0) return false
  const nameWords = splitWords(name)
  return words.every((word, index) =>
    term.prefix && index === words.length - 1 ? nameWords.some((candidate) => candidate.startsWith(word)) : nameWords.includes(word),
  )
}

/** Lines of `content` holding a needle, case-insensitively, with the matches' offsets; built here, not by FTS5. */
function snippetsOf(
  content: string,
  needles: ReadonlyArray<string>,
  options: {
    /** The number of the content's first line, asked for at its first match only. */
    readonly firstLine: () => number
    /** How many snippets at most. */
    readonly room: number
    /** The text of the line at `[start, end)` of the content, when the content is not that text itself. */
    readonly lineText?: ((start: number, end: number) => string) | undefined
  },
): Snippet[] {
  const lineText = options.lineText ?? ((start: number, end: number) => content.slice(start, end))
  // One case-insensitive scan that stops at the last matching line wanted: the content is not lower-cased or split.
  const pattern = new RegExp(needles.map((needle) => needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu')
  const snippets: Snippet[] = []
  let line = 0
  let counted = 0
  let lineEnd = -1
  for (let match = pattern.exec(content); match && snippets.length < options.room; match = pattern.exec(content)) {
    if (match[0] === '') {
      pattern.lastIndex++
      continue
    }
    if (match.index < lineEnd) continue
    const start = content.lastIndexOf('\n', match.index) + 1
    if (snippets.length === 0) line = options.firstLine()
    for (let at = content.indexOf('\n', counted); at !== -1 && at < start; at = content.indexOf('\n', at + 1)) line++
    counted = start
    const end = content.indexOf('\n', match.index)
    lineEnd = end === -1 ? content.length : end
    // A match past a snippet's width is shown with the text before it, from a little before, marked with `…`. (Offsets
    // here are the content's: bytes where it was read as Latin-1.) A CRLF line's \r is no part of its text.
    const lead = match.index - start + match[0].length <= SNIPPET_WIDTH ? 0 : match.index - start - SNIPPET_LEAD
    let shown = lineText(start + lead, lineEnd)
    if (lead > 0 && /^[\uDC00-\uDFFF]/.test(shown)) shown = shown.slice(1)
    const text = (lead > 0 ? `…${shown.slice(0, SNIPPET_WIDTH - 1)}` : shown.slice(0, SNIPPET_WIDTH)).replace(/\r$/, '')
    const highlights: Array<readonly [number, number]> = []
    const inLine = new RegExp(pattern.source, 'giu')
    for (let hit = inLine.exec(text); hit; hit = inLine.exec(text)) {
      if (hit[0] === '') inLine.lastIndex++
      else highlights.push([hit.index, hit.index + hit[0].length])
    }
    snippets.push({ line, text, highlights })
    pattern.lastIndex = lineEnd
  }
  return snippets
}
