import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeTree } from '../indexing/indexing-helpers.js'
import { cli } from './run-cli.js'

let root: string

// One index for the whole file: searching never changes it.
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'codeindex-search-cli-'))
  writeTree(root, {
    'src/widget.ts': '/** A widget. */\nexport class Widget {\n  render(): string {\n    return "widget"\n  }\n}\n',
    'src/uses.ts': "import { Widget } from './widget.js'\nexport const made = new Widget()\n",
  })
  expect((await cli(root, 'index', '--workers', '0')).code).toBe(0)
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('codeindex search', () => {
  it('prints the defining file first, with its definitions and highlighted lines', async () => {
    const result = await cli(root, 'search', 'Widget', '--limit', '1')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.replace(/score \d+\.\d\d/, 'score N')).toBe(
      [
        'src/widget.ts  (typescript, score N, filename path names name_parts docstrings)',
        '      2  class Widget (exported)',
        '      1: /** A [widget]. */',
        '      2: export class [Widget] {',
        '      4:     return "[widget]"',
        '',
      ].join('\n'),
    )
  })

  it('--json prints one document with the results, best first', async () => {
    const result = await cli(root, '--json', 'search', 'Widget')
    expect(result.code).toBe(0)
    const { results } = JSON.parse(result.stdout) as { results: Array<{ path: string; score: number }> }
    expect(results.map((entry) => entry.path)).toEqual(['src/widget.ts', 'src/uses.ts'])
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score)
  })

  it('takes -word as an excluded word, not an unknown option; a file matched by nothing lists no fields', async () => {
    const result = await cli(root, 'search', '-render')
    expect(result.code).toBe(0)
    expect(result.stdout.replace(/score \d+\.\d\d/, 'score N')).toBe('src/uses.ts  (typescript, score N)\n      2  constant made (exported)\n')
    const excluded = await cli(root, '--json', 'search', 'Widget', '-render')
    expect((JSON.parse(excluded.stdout) as { results: Array<{ path: string }> }).results.map((entry) => entry.path)).toEqual(['src/uses.ts'])
  })

  it('commander usage errors are one codeindex line, and a JSON document under --json', async () => {
    expect(await cli(root, 'search')).toEqual({ code: 1, stdout: '', stderr: "codeindex: INVALID_ARGUMENT: missing required argument 'query'\n" })
    expect(await cli(root, '--json', 'bogus')).toEqual({
      code: 1,
      stdout: `${JSON.stringify({ ok: false, error: { code: 'INVALID_ARGUMENT', message: "unknown command 'bogus'" } }, null, 2)}\n`,
      stderr: "codeindex: INVALID_ARGUMENT: unknown command 'bogus'\n",
    })
  })

  it('says so when nothing matches', async () => {
    expect(await cli(root, 'search', 'Gadget')).toEqual({ code: 0, stdout: 'no match\n', stderr: '' })
  })

  it('--debug logs the search on stderr as a structured line', async () => {
    const result = await cli(root, '--debug', 'search', 'Widget')
    expect(result.code).toBe(0)
    const line = result.stderr.split('\n').find((entry) => entry.startsWith('debug search '))!
    expect(JSON.parse(line.slice('debug search '.length))).toMatchObject({ query: 'Widget', results: 2, total: 2 })
  })

  it('a bad query, a bad --limit and a missing index are each one readable line', async () => {
    expect(await cli(root, 'search', 'kind:')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'codeindex: SEARCH_QUERY_INVALID: kind: needs a value, e.g. kind:function\n',
    })
    for (const limit of ['ten', '0', '1001', '99999999999999999999']) {
      expect(await cli(root, 'search', 'x', '--limit', limit)).toEqual({
        code: 1,
        stdout: '',
        stderr: `codeindex: INVALID_ARGUMENT: --limit must be a whole number from 1 to 1000, not "${limit}"\n`,
      })
    }
    const missing = join(root, 'none.db')
    expect(await cli(root, '--db', missing, 'search', 'x')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: FILE_NOT_INDEXED: there is no index at ${missing}; run \`codeindex index\` first\n`,
    })
  })
})
