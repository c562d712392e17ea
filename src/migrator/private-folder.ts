import { lstatSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * `folder`, created (mode 0700) if missing, when it is a real folder that only this user can write to; `undefined`
 * otherwise. For caches of compiled code, which runs as it is read: a cache that someone else can write is not read.
 */
export function privateFolder(folder: string): string | undefined {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 })
    const stat = lstatSync(folder)
    const uid = process.getuid?.()
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) return undefined
    return folder
  } catch {
    return undefined
  }
}

/**
 * Where codeindex keeps compiled code between runs (the CLI's V8 code cache, jiti's transpiled configs):
 * `$CODEINDEX_COMPILE_CACHE`, else `codeindex-compile-cache-<uid>` in the temporary folder; `undefined` (nothing
 * kept) when `CODEINDEX_COMPILE_CACHE=0`.
 *
 * @example
 * compiledCodeFolder({ CODEINDEX_COMPILE_CACHE: '/var/cache/codeindex' }) // '/var/cache/codeindex'
 */
export function compiledCodeFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env['CODEINDEX_COMPILE_CACHE']
  if (setting === '0') return undefined
  if (setting !== undefined && setting !== '') return setting
  return join(tmpdir(), `codeindex-compile-cache-${process.getuid?.() ?? 'user'}`)
}
