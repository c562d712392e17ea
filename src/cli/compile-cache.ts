import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Script } from 'node:vm'
import { privateFolder } from '../migrator/private-folder.js'

/** How a {@link loadCommonJs} call compiled its file. */
export type CompileCacheStatus = 'Off' | 'Hit' | 'Miss' | 'Rejected'

/** A CommonJS file run through V8's code cache. */
export interface CompiledModule {
  /** What the file put in `module.exports`. */
  readonly exports: unknown
  /** `Hit`: compiled from the cache; `Miss`: no cache yet; `Rejected`: V8 refused the cache (another Node, other flags); `Off`: no cache folder. */
  readonly status: CompileCacheStatus
  /**
   * Writes the code V8 compiled so far to the cache, after a `Miss` or a `Rejected`: called once the work is done, it
   * holds the functions that ran, not only the top level. Never throws; a cache that cannot be written is skipped.
   */
  saveCache(): void
}

/** The runtime's `import()`, which the loaded file receives as `__launcherImport`. */
export type DynamicImport = (specifier: string) => Promise<unknown>

/** FNV-1a, in 8 hex digits: a short name for a long text, without loading node:crypto for it. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193)
  return (hash >>> 0).toString(16).padStart(8, '0')
}

/**
 * Runs the CommonJS file `filename` (wrapped as Node wraps one, plus a `__launcherImport` parameter) with V8's code
 * cache from `cacheFolder`, and returns its exports.
 *
 * V8 checks a cache against its own version and flags and the source's length only, so the entry is named after the
 * file's path, size and modification time: a rebuilt file never meets the code of its previous build. It is named
 * after Node's version and flags too, so that runs with other flags keep entries of their own rather than each
 * refusing and rewriting the other's. A cache holds the functions that ran before it was saved; `flavor` keeps one
 * entry per kind of run (the CLI's command), so that each finds its own functions compiled. The file is read as
 * Latin-1, which is exact for the ASCII that the CLI bundle is built as.
 *
 * A script compiled from a code cache loses its `import()` callback on Node 20 ("A dynamic import callback was not
 * specified"), so the file's dynamic imports go through `dynamicImport`, the caller's own `import()`.
 *
 * @example
 * const loaded = loadCommonJs('/app/dist/cli.cjs', compiledCodeFolder(), (specifier) => import(specifier))
 * await (loaded.exports as { main(): Promise<void> }).main()
 * loaded.saveCache()
 */
export function loadCommonJs(
  filename: string,
  cacheFolder: string | undefined,
  dynamicImport: DynamicImport,
  flavor = 'main',
): CompiledModule {
  if (!/^[\w-]+$/.test(flavor)) throw new TypeError(`loadCommonJs: flavor must be a word, not ${JSON.stringify(flavor)}`)
  const stat = statSync(filename)
  const folder = cacheFolder === undefined ? undefined : privateFolder(cacheFolder)
  const prefix = `${shortHash(filename)}-`
  const build = `${prefix}${stat.size}-${stat.mtimeMs}-`
  const runtime = shortHash([process.version, process.arch, ...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join('\0'))
  const entry = folder === undefined ? undefined : join(folder, `${build}${runtime}.${flavor}.bin`)
  let cachedData: Buffer | undefined
  if (entry !== undefined) {
    try {
      cachedData = readFileSync(entry)
    } catch {
      // no cache yet
    }
  }
  const source = readFileSync(filename, 'latin1')
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __launcherImport) {${source}\n})`, {
    filename,
    ...(cachedData && { cachedData }),
  })
  const status: CompileCacheStatus = entry === undefined ? 'Off' : !cachedData ? 'Miss' : script.cachedDataRejected ? 'Rejected' : 'Hit'
  const module = { exports: {} as unknown }
  const run = script.runInThisContext() as (...args: unknown[]) => void
  run(module.exports, createRequire(filename), module, filename, dirname(filename), dynamicImport)
  return {
    get exports() {
      return module.exports
    },
    status,
    saveCache() {
      if (entry === undefined || status === 'Hit') return
      const temporary = `${entry}.${process.pid}`
      try {
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 })
        renameSync(temporary, entry)
        // Earlier builds' entries for this file will never be read again.
        for (const name of readdirSync(folder!)) {
          if (name.startsWith(prefix) && !name.startsWith(build)) rmSync(join(folder!, name), { force: true })
        }
      } catch {
        // A full or read-only disk costs the next run its compile time, nothing else.
        rmSync(temporary, { force: true })
      }
    },
  }
}
