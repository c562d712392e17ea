import { mkdir, open, readdir, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/** Where backups go and how many are kept. */
export interface BackupOptions {
  /** The folder for backup files; created with mode 0700 when missing. */
  readonly folder: string
  /** How many backups to keep; older ones are deleted after each new one. Default 10. */
  readonly retain?: number | undefined
  /** The start of every backup file's name. Default `backup`. */
  readonly prefix?: string | undefined
}

/** One backup file, as {@link GuardedMigrator.backups} lists them. */
export interface BackupInfo {
  readonly path: string
  readonly createdAt: Date
  /** The last migration applied when the backup was taken, or `undefined` for a database with none applied. */
  readonly fromVersion: string | undefined
  readonly size: number
}

const EXTENSION = '.sqlite'
const NO_VERSION = 'none'
const STAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/

/** Names, creates, lists and prunes backup files in one folder. */
export class BackupStore {
  readonly #folder: string
  readonly #retain: number
  readonly #prefix: string

  constructor(options: BackupOptions) {
    this.#folder = resolve(options.folder)
    this.#retain = options.retain ?? 10
    this.#prefix = options.prefix ?? 'backup'
  }

  /** Creates an empty file with mode 0600 for the next backup and returns its path. */
  async create(fromVersion: string | undefined, now = new Date()): Promise<string> {
    await mkdir(this.#folder, { recursive: true, mode: 0o700 })
    const stamp = now.toISOString().replace(/[:.]/g, '-')
    const version = (fromVersion ?? NO_VERSION).replace(/[^A-Za-z0-9_.-]/g, '_')
    for (let attempt = 0; ; attempt++) {
      const suffix = attempt === 0 ? '' : `~${attempt}`
      const path = join(this.#folder, `${this.#prefix}-${stamp}-from-${version}${suffix}${EXTENSION}`)
      try {
        // Created before SQLite writes into it, so that the snapshot is never readable by others, not even briefly.
        await (await open(path, 'wx', 0o600)).close()
        return path
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
    }
  }

  /** Every backup in the folder, newest first. */
  async list(): Promise<ReadonlyArray<BackupInfo>> {
    let entries: string[]
    try {
      entries = await readdir(this.#folder)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const backups: BackupInfo[] = []
    for (const entry of entries) {
      const parsed = this.#parse(entry)
      if (!parsed) continue
      const path = join(this.#folder, entry)
      backups.push({ path, ...parsed, size: (await stat(path)).size })
    }
    return backups.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.path < b.path ? 1 : -1))
  }

  /** Deletes all but the newest `retain` backups, and never `keep` (a path); returns the deleted paths. */
  async prune(keep?: string): Promise<ReadonlyArray<string>> {
    const stale = (await this.list())
      .slice(this.#retain)
      .map((backup) => backup.path)
      .filter((path) => path !== keep)
    await Promise.all(stale.map((path) => rm(path, { force: true })))
    return stale
  }

  #parse(entry: string): Pick<BackupInfo, 'createdAt' | 'fromVersion'> | undefined {
    if (!entry.startsWith(`${this.#prefix}-`) || !entry.endsWith(EXTENSION)) return undefined
    const body = entry.slice(this.#prefix.length + 1, -EXTENSION.length)
    const split = body.indexOf('-from-')
    if (split < 0) return undefined
    const stamp = STAMP.exec(body.slice(0, split))
    if (!stamp) return undefined
    const createdAt = new Date(`${stamp[1]}T${stamp[2]}:${stamp[3]}:${stamp[4]}.${stamp[5]}Z`)
    const version = body.slice(split + '-from-'.length).replace(/~\d+$/, '')
    return { createdAt, fromVersion: version === NO_VERSION ? undefined : version }
  }
}
