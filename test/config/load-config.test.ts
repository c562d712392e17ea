import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { tempDir, writeFiles } from '../helpers.js'

/** A config file of `source` in a fresh folder. */
function config(source: string): string {
  const dir = tempDir()
  writeFiles(dir, { 'kysely.config.mjs': source })
  return join(dir, 'kysely.config.mjs')
}

describe('loadConfig', () => {
  it('resolves the settings of a config against its folder', async () => {
    const file = config("export default { codeindex: { database: 'data/index.db', backupRetain: 3 } }\n")
    expect(await loadConfig(file)).toEqual({
      database: join(file, '..', 'data', 'index.db'),
      migrationFolder: undefined,
      backupFolder: join(file, '..', 'data', 'backups'),
      backupRetain: 3,
    })
  })

  it('refuses a setting of the wrong type or a misspelled key with CONFIG_INVALID, as defineConfig would', async () => {
    const wrongType = config('export default { codeindex: { database: 42 } }\n')
    await expect(loadConfig(wrongType)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(new RegExp(`^${wrongType.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the config: codeindex\\.database `)),
    })
    const misspelled = config("export default { codeindex: { databse: 'x.db' } }\n")
    await expect(loadConfig(misspelled)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('databse') })
  })
})
