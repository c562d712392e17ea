import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadCommonJs, type DynamicImport } from '../../src/cli/compile-cache.js'
import { compiledCodeFolder } from '../../src/migrator/private-folder.js'
import { projectRoot, tempDir } from '../helpers.js'

const dynamicImport: DynamicImport = (specifier) => import(specifier)

interface Exports {
  readonly add: (a: number, b: number) => number
  readonly where: () => readonly [string, string]
  readonly helper: () => string
  readonly imported: () => Promise<string>
}

/** A CommonJS file using everything the wrapper hands it, and a second file beside it to require. */
function writeModule(folder: string, body = ''): string {
  writeFileSync(join(folder, 'helper.cjs'), "module.exports = () => 'helped'\n")
  const file = join(folder, 'bundle.cjs')
  writeFileSync(
    file,
    `exports.add = (a, b) => a + b
exports.where = () => [__filename, __dirname]
exports.helper = () => require('./helper.cjs')()
exports.imported = async () => (await __launcherImport('node:path')).sep
${body}`,
  )
  return file
}

const entries = (folder: string): string[] => readdirSync(folder).sort()

/** Loads `file` in a new process (see test/fixtures/compile-cache-child.ts) and returns what it printed. */
function loadInChild(file: string, cache: string, flavor = 'main', flags: string[] = []): { status: string; value?: unknown; sep: string } {
  const register = pathToFileURL(join(projectRoot, 'node_modules', 'jiti', 'lib', 'jiti-register.mjs')).href
  const child = join(projectRoot, 'test', 'fixtures', 'compile-cache-child.ts')
  const result = spawnSync(process.execPath, [...flags, '--import', register, child, file, cache, flavor], { encoding: 'utf8' })
  expect(result.stderr).toBe('')
  return JSON.parse(result.stdout) as { status: string; value?: unknown; sep: string }
}

describe('loadCommonJs', () => {
  it('runs the file with its own filename, dirname, require and the caller import()', async () => {
    const dir = tempDir()
    const file = writeModule(dir)
    const loaded = loadCommonJs(file, undefined, dynamicImport)
    expect(loaded.status).toBe('Off')
    const exports = loaded.exports as Exports
    expect(exports.add(2, 3)).toBe(5)
    expect(exports.where()).toEqual([file, dir])
    expect(exports.helper()).toBe('helped')
    expect(await exports.imported()).toBe('/')
  })

  it('compiles from the cache in the next process, import() included, and writes it only when it had none', () => {
    const dir = tempDir()
    const file = writeModule(dir, 'exports.value = 1\n')
    const cache = join(dir, 'cache')
    expect(loadInChild(file, cache, 'search')).toEqual({ status: 'Miss', value: 1, sep: '/' })
    const [entry] = entries(cache)
    expect(entries(cache)).toEqual([expect.stringMatching(/^[0-9a-f]{8}-\d+-[\d.]+-[0-9a-f]{8}\.search\.bin$/)])
    expect(statSync(join(cache, entry!)).mode & 0o777).toBe(0o600)
    expect(statSync(cache).mode & 0o777).toBe(0o700)
    const written = statSync(join(cache, entry!)).mtimeMs
    // Node 20 loses a cached script's own import() callback; the launcher's, handed in, still works.
    expect(loadInChild(file, cache, 'search')).toEqual({ status: 'Hit', value: 1, sep: '/' })
    expect(statSync(join(cache, entry!)).mtimeMs).toBe(written)
  })

  it('keeps one entry per flavor, and a rebuilt file replaces every entry of its previous build', () => {
    const dir = tempDir()
    const file = writeModule(dir, 'exports.value = 1\n')
    const cache = join(dir, 'cache')
    loadInChild(file, cache, 'search')
    loadInChild(file, cache, 'index')
    expect(entries(cache).map((name) => name.split('.').at(-2))).toEqual(['index', 'search'])
    writeModule(dir, 'exports.value = 22\n')
    expect(loadInChild(file, cache, 'search')).toEqual({ status: 'Miss', value: 22, sep: '/' })
    expect(entries(cache)).toEqual([expect.stringMatching(new RegExp(`-${statSync(file).size}-[\\d.]+-[0-9a-f]{8}\\.search\\.bin$`))])
  })

  it('runs with other V8 flags keep an entry of their own instead of refusing and rewriting each other\'s', () => {
    const dir = tempDir()
    const file = writeModule(dir, 'exports.value = 1\n')
    const cache = join(dir, 'cache')
    const flags = ['--max-semi-space-size=32']
    expect(loadInChild(file, cache).status).toBe('Miss')
    expect(loadInChild(file, cache, 'main', flags).status).toBe('Miss')
    expect(loadInChild(file, cache).status).toBe('Hit')
    expect(loadInChild(file, cache, 'main', flags).status).toBe('Hit')
    expect(entries(cache)).toHaveLength(2)
  })

  it('a file rewritten with the same size and a new mtime does not meet its old code', () => {
    const dir = tempDir()
    const file = writeModule(dir, 'exports.value = 1\n')
    const cache = join(dir, 'cache')
    loadInChild(file, cache)
    writeModule(dir, 'exports.value = 2\n')
    utimesSync(file, new Date(), new Date(Date.now() + 5_000))
    expect(loadInChild(file, cache)).toEqual({ status: 'Miss', value: 2, sep: '/' })
  })

  it('a cache V8 refuses is reported, the file still runs, and the cache is written anew', () => {
    const dir = tempDir()
    const file = writeModule(dir, 'exports.value = 1\n')
    const cache = join(dir, 'cache')
    loadInChild(file, cache)
    const [entry] = entries(cache)
    writeFileSync(join(cache, entry!), 'not compiled code')
    expect(loadInChild(file, cache)).toEqual({ status: 'Rejected', value: 1, sep: '/' })
    expect(loadInChild(file, cache)).toEqual({ status: 'Hit', value: 1, sep: '/' })
  })

  it('neither reads nor writes a cache folder that others can write to', () => {
    const dir = tempDir()
    const file = writeModule(dir)
    const cache = join(dir, 'cache')
    loadCommonJs(file, cache, dynamicImport).saveCache()
    chmodSync(cache, 0o777)
    const shared = loadCommonJs(file, cache, dynamicImport)
    expect(shared.status).toBe('Off')
    shared.saveCache()
    expect(entries(cache)).toHaveLength(1)
  })

  it('treats a cache folder it cannot create as no cache', () => {
    const dir = tempDir()
    const file = writeModule(dir)
    writeFileSync(join(dir, 'blocked'), '')
    expect(loadCommonJs(file, join(dir, 'blocked', 'cache'), dynamicImport).status).toBe('Off')
  })

  it('a cache that cannot be written costs nothing but the cache, and leaves no partial file', () => {
    const dir = tempDir()
    const file = writeModule(dir)
    const cache = join(dir, 'cache')
    loadCommonJs(file, cache, dynamicImport).saveCache()
    const [entry] = entries(cache)
    rmSync(join(cache, entry!))
    mkdirSync(join(cache, entry!))
    const loaded = loadCommonJs(file, cache, dynamicImport)
    expect(loaded.status).toBe('Miss')
    expect(() => loaded.saveCache()).not.toThrow()
    expect(entries(cache)).toEqual([entry])
    expect(statSync(join(cache, entry!)).isDirectory()).toBe(true)
  })

  it('refuses a flavor that is not a word', () => {
    expect(() => loadCommonJs('/nowhere.cjs', undefined, dynamicImport, '../x')).toThrow(
      new TypeError('loadCommonJs: flavor must be a word, not "../x"'),
    )
  })
})

describe('compiledCodeFolder', () => {
  it('is a folder of this user in the temporary folder, the one named, or none for 0', () => {
    expect(compiledCodeFolder({})).toBe(join(tmpdir(), `codeindex-compile-cache-${process.getuid!()}`))
    expect(compiledCodeFolder({ CODEINDEX_COMPILE_CACHE: '' })).toBe(compiledCodeFolder({}))
    expect(compiledCodeFolder({ CODEINDEX_COMPILE_CACHE: '/var/cache/codeindex' })).toBe('/var/cache/codeindex')
    expect(compiledCodeFolder({ CODEINDEX_COMPILE_CACHE: '0' })).toBeUndefined()
  })
})
