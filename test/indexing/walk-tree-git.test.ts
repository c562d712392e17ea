import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { gitIgnoresCase, walkTree } from '../../src/indexing/walk-tree.js'
import { random } from '../schema/schema-helpers.js'
import { tree } from './indexing-helpers.js'

/** git with no user or system configuration: no global excludes file, no other defaults. */
const GIT_ENV = { ...process.env, HOME: '/nonexistent', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }

function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, env: GIT_ENV, encoding: 'utf8' })
}

/** A git repository holding `files` (path: content), untracked. */
function repository(files: Record<string, string>): string {
  const root = tree({})
  git(root, 'init', '-q')
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

/** The untracked files git would add: what the walk must list, the defaults aside. */
function gitFiles(root: string): string[] {
  return git(root, 'ls-files', '--others', '--exclude-standard', '-z').split('\0').filter(Boolean).sort()
}

function walked(root: string): string[] {
  return walkTree(root, { defaultExcludes: false })
    .files.map((file) => file.path)
    .filter((path) => !path.startsWith('.git/'))
    .sort()
}

describe('walkTree against git', () => {
  it('lists what `git ls-files --others --exclude-standard` lists, over random trees and rules', () => {
    const next = random(20261124)
    const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
    const folders = ['a', 'b', 'c', '.d', 'e f']
    const names = ['x.js', 'x.JS', 'y.ts', '.z', 'a', 'b.txt', '#n', 'c']
    // Plain names, anchored and folder-only rules, globs, negations, escapes, comments and blank lines.
    const rules = [
      'a', 'b', '*.js', '*.txt', '/a', 'a/', 'a/*', '**/b', 'a/**/x.js', '!x.js', '!a/', '!*.ts', 'b/y.ts', '[ab]', '?.ts',
      '\\#n', '# c', '', 'x.js ', '*', '!*/', '.*', '!a', 'c/', '/b/', 'a/**', '**/a/x.js', '!b/', '!.z', 'e f/', 'e\\ f',
      '!/a', '**', '*/', 'x.*', '!x.*', 'a/b', '!a/b/', '.d/', '/c/', 'c/**/', '**/c/x.js', '\\!a', '*.[jt]s', '!**/y.ts',
      '/.d/*', '.d/**/b', 'b/**', '!c/**', '/*', '!/*/', 'a/*/x.js',
    ]
    const differences: unknown[] = []
    for (let round = 0; round < 120; round++) {
      const directories = ['']
      for (let index = 0; index < 6; index++) {
        const parent = pick(directories)
        if (parent.split('/').length >= 3) continue
        const directory = parent === '' ? pick(folders) : `${parent}/${pick(folders)}`
        if (!directories.includes(directory)) directories.push(directory)
      }
      const files: Record<string, string> = {}
      for (const directory of directories) {
        for (let index = 0; index < 3; index++) {
          const name = directory === '' ? pick(names) : `${directory}/${pick(names)}`
          if (!directories.some((other) => other === name || other.startsWith(`${name}/`))) files[name] = 'x\n'
        }
        if (next() < 0.5) files[directory === '' ? '.gitignore' : `${directory}/.gitignore`] = `${Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(rules)).join('\n')}\n`
      }
      if (next() < 0.3) files['.git/info/exclude'] = `${Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(rules)).join('\n')}\n`
      const root = repository(files)
      const expected = gitFiles(root)
      const actual = walked(root)
      if (JSON.stringify(actual) !== JSON.stringify(expected)) differences.push({ round, files, expected, actual })
    }
    expect(differences).toEqual([])
  })

  it('lets a deeper .gitignore re-include a folder that a shallower one, or .git/info/exclude, ignores', () => {
    const root = repository({
      '.gitignore': 'build/\n!kept/\n',
      '.git/info/exclude': 'kept\n',
      'build/a.ts': '',
      'docs/.gitignore': '!build/\n',
      'docs/build/b.ts': '',
      'kept/c.ts': '',
    })
    const expected = ['.gitignore', 'docs/.gitignore', 'docs/build/b.ts', 'kept/c.ts']
    expect(gitFiles(root)).toEqual(expected)
    expect(walked(root)).toEqual(expected)
  })

  it('matches rules case-sensitively, unless the repository sets core.ignorecase', () => {
    const root = repository({ '.gitignore': '*.js\nBuild/\n', 'a.JS': '', 'b.js': '', 'build/c.ts': '', 'Build/d.ts': '' })
    git(root, 'config', 'core.ignorecase', 'false')
    const sensitive = ['.gitignore', 'a.JS', 'build/c.ts']
    expect(gitFiles(root)).toEqual(sensitive)
    expect(walked(root)).toEqual(sensitive)
    git(root, 'config', 'core.ignorecase', 'true')
    expect(walked(root)).toEqual(['.gitignore'])
    expect(gitFiles(root)).toEqual(['.gitignore'])
  })

  it('reads core.ignorecase as git does: the last value in [core], names in any case, a bare key for true', () => {
    const ignoresCase = (config: string | undefined) => {
      const root = tree(config === undefined ? {} : { '.git/config': config })
      return gitIgnoresCase(root)
    }
    expect(ignoresCase(undefined)).toBe(false)
    expect(ignoresCase('[core]\n\trepositoryformatversion = 0\n')).toBe(false)
    expect(ignoresCase('[core]\n\tignorecase = true\n')).toBe(true)
    expect(ignoresCase('[Core]\n\tIgnoreCase = Yes ; set by git init\n')).toBe(true)
    expect(ignoresCase('[core]\n\tignorecase\n')).toBe(true)
    expect(ignoresCase('[core] ignorecase = 1\n')).toBe(true)
    expect(ignoresCase('[core]\n\tignorecase = true\n[core]\n\tignorecase = false\n')).toBe(false)
    expect(ignoresCase('[core "sub"]\n\tignorecase = true\n')).toBe(false)
    expect(ignoresCase('[user]\n\tignorecase = true\n')).toBe(false)
  })
})
