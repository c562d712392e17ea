import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { walkTree } from '../../src/indexing/walk-tree.js'
import { tree } from './indexing-helpers.js'

const paths = (root: string, options?: Parameters<typeof walkTree>[1]) => walkTree(root, options).files.map((file) => file.path)

describe('walkTree', () => {
  it('lists files in sorted order with POSIX paths, sizes and times', () => {
    const root = tree({ 'b.ts': 'b', 'a/z.ts': 'zz', 'a/b/c.ts': 'ccc' })
    const { files } = walkTree(root)
    expect(files.map(({ path, size }) => ({ path, size }))).toEqual([
      { path: 'a/b/c.ts', size: 3 },
      { path: 'a/z.ts', size: 2 },
      { path: 'b.ts', size: 1 },
    ])
    expect(files[0]!.absolutePath).toBe(join(root, 'a', 'b', 'c.ts'))
    expect(files[0]!.mtimeMs).toBeGreaterThan(0)
  })

  it('honours nested .gitignore files, their negations, and folders excluded whole', () => {
    const root = tree({
      '.gitignore': '*.log\nbuild-output/\nsecret*\n',
      'keep.ts': '',
      'debug.log': '',
      'build-output/x.ts': '',
      'src/.gitignore': '!important.log\ngenerated/\n',
      'src/important.log': '',
      'src/other.log': '',
      'src/generated/a.ts': '',
      'src/app.ts': '',
      'src/deep/.gitignore': '!secret-ok.ts\n',
      'src/deep/secret-ok.ts': '',
      'src/deep/secret-no.ts': '',
      'secret.ts': '',
    })
    expect(paths(root)).toEqual([
      '.gitignore',
      'keep.ts',
      'src/.gitignore',
      'src/app.ts',
      'src/deep/.gitignore',
      'src/deep/secret-ok.ts',
      'src/important.log',
    ])
  })

  it('matches include globs as search does: one built to backtrack at once, one too costly for a regular expression refused', () => {
    const root = tree({ [`src/${'a'.repeat(200)}.ts`]: '', 'src/b.ts': '' })
    expect(walkTree(root, { include: [`**/${'*a'.repeat(30)}*.ts`] }).files.map((file) => file.path)).toEqual([`src/${'a'.repeat(200)}.ts`])
    expect(() => walkTree(root, { exclude: ['**/*a*a*a*a*[bc]'] })).toThrow(
      new RangeError('walkTree: options.exclude glob **/*a*a*a*a*[bc] has more than 4 * beside braces, classes or extglobs'),
    )
  })

  it('cannot re-include a file inside an excluded folder, as in git', () => {
    const root = tree({ '.gitignore': 'logs/\n!logs/keep.txt\n', 'logs/keep.txt': '', 'a.ts': '' })
    expect(paths(root)).toEqual(['.gitignore', 'a.ts'])
  })

  it('honours .git/info/exclude and never lists .git itself', () => {
    const root = tree({ '.git/info/exclude': 'local-only.ts\n', '.git/HEAD': 'ref', 'local-only.ts': '', 'shared.ts': '' })
    expect(paths(root)).toEqual(['shared.ts'])
  })

  it('leaves out node_modules, build output, vendored and minified files by default, and keeps them when asked', () => {
    const root = tree({
      'node_modules/pkg/index.js': '',
      'dist/app.js': '',
      'vendor/lib.go': '',
      'app.min.js': '',
      'app.js': '',
    })
    expect(paths(root)).toEqual(['app.js'])
    expect(paths(root, { defaultExcludes: false })).toEqual(['app.js', 'app.min.js', 'dist/app.js', 'node_modules/pkg/index.js', 'vendor/lib.go'])
  })

  it('applies include and exclude globs to relative paths', () => {
    const root = tree({ 'src/a.ts': '', 'src/a.test.ts': '', 'docs/readme.md': '' })
    expect(paths(root, { include: ['src/**'] })).toEqual(['src/a.test.ts', 'src/a.ts'])
    expect(paths(root, { exclude: ['**/*.test.ts', 'docs/**'] })).toEqual(['src/a.ts'])
  })

  it('follows no symlink, and says why: out of the root, dangling, a loop, or a duplicate of what it lists anyway', () => {
    const root = tree({ 'real/a.ts': 'a' })
    const outside = tree({ 'secret.ts': 'x' })
    symlinkSync(join(root, 'real'), join(root, 'alias'))
    symlinkSync(outside, join(root, 'escape'))
    symlinkSync(join(outside, 'secret.ts'), join(root, 'escape-file.ts'))
    mkdirSync(join(root, 'real', 'nested'))
    symlinkSync(root, join(root, 'real', 'nested', 'loop'))
    symlinkSync(join(root, 'missing'), join(root, 'dangling.ts'))
    const result = walkTree(root)
    expect(result.files.map((file) => file.path)).toEqual(['real/a.ts'])
    expect(result.skippedLinks).toEqual([
      { path: 'alias', reason: 'Duplicate' },
      { path: 'dangling.ts', reason: 'Dangling' },
      { path: 'escape', reason: 'OutsideRoot' },
      { path: 'escape-file.ts', reason: 'OutsideRoot' },
      { path: 'real/nested/loop', reason: 'Loop' },
    ])
  })

  it('stops listing once the signal is aborted', () => {
    const root = tree({ 'a/x.ts': '', 'b/y.ts': '' })
    const controller = new AbortController()
    controller.abort()
    expect(paths(root, { signal: controller.signal })).toEqual([])
  })
})
