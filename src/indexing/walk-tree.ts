import { lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { join, sep } from 'node:path'
import ignore, { type Ignore } from 'ignore'
import { pathMatcher } from '../path-glob.js'
import { CodeIndexError } from '../errors.js'

/** Folders and files no one wants in a code index, on top of what .gitignore says. */
export const DEFAULT_EXCLUDES: ReadonlyArray<string> = [
  '.git/',
  '.hg/',
  '.svn/',
  'node_modules/',
  'bower_components/',
  'dist/',
  'build/',
  'out/',
  'target/',
  'coverage/',
  '.next/',
  '.nuxt/',
  '.cache/',
  '.turbo/',
  '.codeindex/',
  '__pycache__/',
  '.venv/',
  'venv/',
  '.tox/',
  'vendor/',
  'third_party/',
  '*.min.js',
  '*.min.css',
  '*.map',
  '*.pyc',
  '*.class',
  '*.o',
  '*.so',
  '*.dll',
  '*.exe',
]

export interface WalkOptions {
  /** Only files matching one of these globs (relative POSIX paths) are kept. */
  readonly include?: ReadonlyArray<string> | undefined
  /** Files matching one of these globs are left out. */
  readonly exclude?: ReadonlyArray<string> | undefined
  /** Apply {@link DEFAULT_EXCLUDES}. Default true. */
  readonly defaultExcludes?: boolean | undefined
  /** Honour .gitignore files and .git/info/exclude. Default true. */
  readonly gitignore?: boolean | undefined
  readonly signal?: AbortSignal | undefined
}

export interface WalkedFile {
  /** Relative to the root, with `/` separators. */
  readonly path: string
  readonly absolutePath: string
  readonly size: number
  readonly mtimeMs: number
}

export interface WalkResult {
  readonly files: ReadonlyArray<WalkedFile>
  /**
   * Symlinks not followed: out of the root, dangling, into a folder that holds the link (a loop), or to something
   * inside the root, which the walk lists where it really is (a duplicate).
   */
  readonly skippedLinks: ReadonlyArray<{ readonly path: string; readonly reason: SkippedLinkReason }>
  /**
   * Folders that exist but could not be listed whole, with the system's error code (`EACCES`, `ENAMETOOLONG`...): the
   * folder itself, or a file in it, could not be read. Their files are missing from `files` though they may still be
   * there; '.' is the root. A folder removed while the walk ran is not listed here: its files are gone.
   */
  readonly unreadableFolders: ReadonlyArray<{ readonly path: string; readonly code: string }>
}

export type SkippedLinkReason = 'OutsideRoot' | 'Dangling' | 'Loop' | 'Duplicate'

interface Level {
  /** The folder this .gitignore sits in, relative to the root ('' for the root). */
  readonly base: string
  readonly rules: Ignore
}

/**
 * Lists the files of `root` that git would track: nested .gitignore files with their negations, .git/info/exclude,
 * the defaults and the caller's globs. Like git, it does not follow symlinks: a link out of the root, a dangling one,
 * one into its own ancestors and one to a file the walk lists anyway are reported in `skippedLinks`. A folder it cannot
 * list is reported in `unreadableFolders`; a root it cannot list throws `INDEX_ROOT_INVALID`. Synchronous file-system
 * calls on purpose: for thousands of small directory reads they are several times faster than the promise pool, and
 * the walk checks `signal` between folders.
 *
 * ```ts
 * const { files, unreadableFolders } = walkTree('.', { include: ['src/**'] })
 * ```
 */
export function walkTree(root: string, options: WalkOptions = {}): WalkResult {
  const rootReal = realpathSync(root)
  const files: WalkedFile[] = []
  const skippedLinks: Array<WalkResult['skippedLinks'][number]> = []
  const unreadableFolders: Array<WalkResult['unreadableFolders'][number]> = []
  const include = options.include?.length ? globTest(options.include, 'include') : undefined
  const exclude = options.exclude?.length ? globTest(options.exclude, 'exclude') : undefined
  const useDefaults = options.defaultExcludes !== false
  const useGitignore = options.gitignore !== false

  const rootLevels: Level[] = []
  // As git matches them: case-insensitively only where the repository says so.
  const ignorecase = useGitignore && gitIgnoresCase(root)
  if (useGitignore) {
    const excludeFile = readText(join(root, '.git', 'info', 'exclude'))
    if (excludeFile !== undefined) rootLevels.push({ base: '', rules: ignore({ ignorecase }).add(excludeFile) })
  }

  const ignored = (levels: ReadonlyArray<Level>, path: string, directory: boolean): boolean => {
    if (useDefaults && excludedByDefault(path, directory)) return true
    const candidate = directory ? `${path}/` : path
    // The deepest .gitignore that says anything about the path decides, as in git.
    let verdict = false
    for (const level of levels) {
      const local = level.base === '' ? candidate : candidate.slice(level.base.length + 1)
      const result = matchRules(level.rules, local)
      if (result.ignored) verdict = true
      else if (result.unignored) verdict = false
    }
    return verdict
  }

  const walk = (directory: string, relativeDirectory: string, parentLevels: ReadonlyArray<Level>) => {
    if (options.signal?.aborted) return
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(directory, { withFileTypes: true })
    } catch (error) {
      const code = errorCode(error)
      if (relativeDirectory === '') throw new CodeIndexError('INDEX_ROOT_INVALID', `cannot index ${root}: it cannot be read (${code})`, { cause: error })
      // Removed or replaced by a file since its parent was listed: its files are gone.
      if (code === 'ENOENT' || code === 'ENOTDIR') return
      unreadableFolders.push({ path: relativeDirectory, code })
      return
    }
    let unreadableFile = false
    let levels = parentLevels
    // Read only where the listing shows one: a failed read per folder costs an exception each.
    if (useGitignore && entries.some((entry) => entry.name === '.gitignore')) {
      const gitignore = readText(join(directory, '.gitignore'))
      if (gitignore !== undefined) levels = [...parentLevels, { base: relativeDirectory, rules: ignore({ ignorecase }).add(gitignore) }]
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const absolutePath = join(directory, entry.name)
      const path = relativeDirectory === '' ? entry.name : `${relativeDirectory}/${entry.name}`
      const isDirectory = entry.isDirectory()
      if (entry.isSymbolicLink()) {
        skippedLinks.push({ path, reason: linkReason(absolutePath, directory, rootReal) })
        continue
      }
      if (!isDirectory && !entry.isFile()) continue // sockets, FIFOs, devices
      if (ignored(levels, path, isDirectory)) continue
      if (isDirectory) {
        walk(absolutePath, path, levels)
        continue
      }
      if (include && !include(path)) continue
      if (exclude?.(path)) continue
      // Only files that are kept are stat'ed: one system call each, the bulk of a walk's time.
      let stats: import('node:fs').Stats | undefined
      try {
        stats = lstatSync(absolutePath, { throwIfNoEntry: false })
      } catch (error) {
        // Listed but not inspectable (a folder without search permission, a path too long): the folder is not read whole.
        if (!unreadableFile) unreadableFolders.push({ path: relativeDirectory === '' ? '.' : relativeDirectory, code: errorCode(error) })
        unreadableFile = true
        continue
      }
      if (stats?.isFile()) files.push({ path, absolutePath, size: stats.size, mtimeMs: stats.mtimeMs })
    }
  }

  walk(root, '', rootLevels)
  return { files, skippedLinks, unreadableFolders }
}

function errorCode(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? 'unknown')
}

const DEFAULT_FOLDERS = new Set(DEFAULT_EXCLUDES.filter((rule) => rule.endsWith('/')).map((rule) => rule.slice(0, -1)))
const DEFAULT_SUFFIXES = DEFAULT_EXCLUDES.filter((rule) => rule.startsWith('*')).map((rule) => rule.slice(1))

/** DEFAULT_EXCLUDES, applied by name: each rule is a folder name or a file-name suffix (faster than gitignore rules). */
/** The test for `globs`, as search matches paths; a glob too costly to match is refused, naming its option. */
function globTest(globs: ReadonlyArray<string>, option: 'include' | 'exclude'): (path: string) => boolean {
  const matcher = pathMatcher(globs)
  if ('refused' in matcher) {
    throw new RangeError(`walkTree: options.${option} ${matcher.reason}`)
  }
  return matcher.matches
}

function excludedByDefault(path: string, directory: boolean): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1)
  return directory ? DEFAULT_FOLDERS.has(name) : DEFAULT_SUFFIXES.some((suffix) => name.endsWith(suffix))
}

function linkReason(link: string, directory: string, rootReal: string): SkippedLinkReason {
  let target: string
  try {
    target = realpathSync(link)
  } catch {
    return 'Dangling'
  }
  if (target !== rootReal && !target.startsWith(rootReal + sep)) return 'OutsideRoot'
  const holder = realpathSync(directory)
  return holder === target || holder.startsWith(target + sep) ? 'Loop' : 'Duplicate'
}

interface RuleVerdict {
  readonly ignored: boolean
  readonly unignored: boolean
}

/** The rule list inside an `Ignore` (ignore 7), which matches one path without its folders. */
interface RuleList {
  test(path: string, mode: 'regex'): RuleVerdict
}

/**
 * What one .gitignore's rules say of one path, as git asks them: the last rule that matches decides. `Ignore.test`
 * first asks the same rules about the path's folders, and a folder they ignore settles the path. But the walk has
 * decided each folder with every level before descending into it, and a deeper .gitignore may re-include a folder a
 * shallower one ignored (`!build/` under a root's `build/`), so the path itself is matched, through the package's
 * rule list. `ignore` is pinned, and a test holds the walk to `git ls-files` over random trees and rules; should the
 * list ever be missing, `Ignore.test` answers.
 */
function matchRules(rules: Ignore, path: string): RuleVerdict {
  const list = (rules as unknown as { _rules?: Partial<RuleList> })._rules
  return typeof list?.test === 'function' ? list.test(path, 'regex') : rules.test(path)
}

/**
 * Whether git matches the ignore rules of the repository at `root` case-insensitively: its `core.ignorecase`, which
 * `git init` sets to true on a case-insensitive file system and which is false when unset.
 */
export function gitIgnoresCase(root: string): boolean {
  const config = readText(join(root, '.git', 'config'))
  if (config === undefined) return false
  let section = ''
  let ignorecase = false
  for (const raw of config.split('\n')) {
    let line = raw.trim()
    const header = /^\[([^\]]*)\](.*)$/.exec(line)
    if (header) {
      // `[core "x"]` is a section of its own; names of sections and keys are case-insensitive.
      section = header[1]!.trim().toLowerCase()
      line = header[2]!.trim()
    }
    if (section !== 'core') continue
    const entry = /^ignorecase\s*(?:=\s*([^\s#;]*))?\s*(?:[#;].*)?$/i.exec(line)
    if (entry) ignorecase = entry[1] === undefined || /^(?:true|yes|on|1)$/i.test(entry[1])
  }
  return ignorecase
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}
