import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageVersion } from '../../src/cli/program.js'
import { tempDir, writeFiles } from '../helpers.js'
import { cli } from './run-cli.js'

describe('codeindex --version', () => {
  it("prints the package's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
    expect(packageVersion()).toBe(version)
    expect(await cli(tmpdir(), '--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(await cli(tmpdir(), '-V')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })
})

describe('codeindex --debug', () => {
  it('prints the stack and, after it, each cause: the typed error says what failed, the cause why', async () => {
    const dir = tempDir()
    writeFiles(join(dir, 'migrations'), { '0001_a.mjs': 'export const up = ;\n' })
    const result = await cli(dir, '--debug', '--db', 'app.db', '--migrations', 'migrations', 'migrate', 'latest')
    expect(result.code).toBe(1)
    const lines = result.stderr.split('\n')
    const first = lines.find((line) => line.startsWith('codeindex: '))!
    expect(first).toMatch(new RegExp(`^codeindex: MIGRATION_LOAD_FAILED: cannot load migration 0001_a from ${join(dir, 'migrations', '0001_a.mjs')}: \\S`))
    expect(lines.filter((line) => line.startsWith('caused by: ')).length).toBeGreaterThanOrEqual(1)
  })
})
