import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach } from 'vitest'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

/** A temporary folder holding `files` (relative path -> content), removed after the test. */
export function tree(files: Readonly<Record<string, string | Uint8Array>>): string {
  const root = mkdtempSync(join(tmpdir(), 'codeindex-tree-'))
  cleanups.push(() => rmSync(root, { recursive: true, force: true }))
  writeTree(root, files)
  return root
}

export function writeTree(root: string, files: Readonly<Record<string, string | Uint8Array>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
}

/**
 * The ids of this process's threads running at nice 10, as parse threads do (Linux keeps a nice value per thread:
 * field 19 of /proc/self/task/<tid>/stat). Threads of other tests may be ending meanwhile: tell them apart by id.
 */
export function niceThreads(): string[] {
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === 10
    } catch {
      return false // a thread that ended between the listing and the read
    }
  })
}

/** Waits (up to 10 s) until `done()` holds, checking every 20 ms; returns whether it did. */
export async function eventually(done: () => boolean): Promise<boolean> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (done()) return true
  }
  return done()
}
