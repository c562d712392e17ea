import { lstatSync, mkdirSync } from 'node:fs'

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
