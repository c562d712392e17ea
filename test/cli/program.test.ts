import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageVersion } from '../../src/cli/program.js'
import { cli } from './run-cli.js'

describe('codeindex --version', () => {
  it("prints the package's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
    expect(packageVersion()).toBe(version)
    expect(await cli(tmpdir(), '--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(await cli(tmpdir(), '-V')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })
})
