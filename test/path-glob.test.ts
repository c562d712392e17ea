import Database from 'better-sqlite3'
import picomatch from 'picomatch'
import { describe, expect, it } from 'vitest'
import { globSuperset, MAX_REGEX_GLOB_STARS, pathMatcher } from '../src/path-glob.js'
import { random } from './schema/schema-helpers.js'

const matcher = (globs: string[]) => {
  const made = pathMatcher(globs)
  if (!('matches' in made)) throw new Error(`refused ${made.refused}`)
  return made.matches
}

describe('pathMatcher', () => {
  it('agrees with picomatch { dot: true } on thousands of random globs and paths', () => {
    const next = random(11)
    const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
    const segment = (pieces: ReadonlyArray<string>): string => {
      const made = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(pieces)).join('')
      // A segment of dots only is no path segment (and such a glob goes to picomatch).
      return /^\.+$/.test(made) ? segment(pieces) : made
    }
    let matched = 0
    for (let round = 0; round < 3000; round++) {
      const glob = Array.from({ length: 1 + Math.floor(next() * 4) }, () => (next() < 0.2 ? '**' : segment(['a', 'b', '.', '*', '?', 'ab', '-']))).join('/')
      const path = Array.from({ length: 1 + Math.floor(next() * 4) }, () => segment(['a', 'b', '.a', 'ab', '-', 'b.ts'])).join('/')
      const made = pathMatcher([glob])
      // A glob picomatch would take with too many stars is refused (below); the rest must agree.
      if (!('matches' in made)) continue
      const expected = picomatch(glob, { dot: true })(path)
      expect([glob, path, made.matches(path)]).toEqual([glob, path, expected])
      if (expected) matched++
    }
    // Both outcomes are well represented.
    expect(matched).toBeGreaterThan(150)
    expect(matched).toBeLessThan(2700)
  })

  it('matches a glob built to backtrack in a regular expression at once, and hands braces and classes to picomatch', () => {
    const long = `src/${'a'.repeat(250)}.ts`
    expect(matcher([`**/${'*a'.repeat(12)}b`])(long)).toBe(false)
    expect(matcher([`**/${'*a'.repeat(12)}.ts`])(long)).toBe(true)
    expect(matcher(['src/*.{ts,js}'])('src/a.js')).toBe(true)
    expect(matcher(['src/[ab].ts', 'lib/**'])('src/b.ts')).toBe(true)
    expect(matcher(['src/[ab].ts', 'lib/**'])('src/c.ts')).toBe(false)
  })

  it(`refuses a glob that needs a regular expression and holds more than ${MAX_REGEX_GLOB_STARS} *`, () => {
    expect(pathMatcher(['src/**', '**/*a*a*a*{b,c}'])).toEqual({
      refused: '**/*a*a*a*{b,c}',
      reason: 'glob **/*a*a*a*{b,c} has more than 4 * beside braces, classes or extglobs',
    })
    expect('matches' in pathMatcher(['**/*a*a{b,c}'])).toBe(true)
  })

  it("narrows paths with a SQLite GLOB that every path a simple glob matches also matches, and leaves other globs alone", () => {
    const next = random(12)
    const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
    const segment = (pieces: ReadonlyArray<string>) => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(pieces)).join('')
    const glob = new Database(':memory:').prepare('SELECT ? GLOB ? AS matches').pluck()
    let matched = 0
    for (let round = 0; round < 3000; round++) {
      const pattern = Array.from({ length: 1 + Math.floor(next() * 4) }, () => (next() < 0.2 ? '**' : segment(['a', 'b', '*', '?', 'ab', '.t']))).join('/')
      const path = Array.from({ length: 1 + Math.floor(next() * 4) }, () => segment(['a', 'b', '.a', 'ab', 'b.ts'])).join('/')
      const superset = globSuperset(pattern)
      if (superset === undefined) continue
      if (matcher([pattern])(path)) {
        matched++
        expect([pattern, path, glob.get(path, superset)]).toEqual([pattern, path, 1])
      }
    }
    expect(matched).toBeGreaterThan(200)
    expect(globSuperset('src/**/*.ts')).toBe('src*.ts')
    expect(globSuperset('**')).toBe('*')
    for (const complex of ['src/{a,b}/*.ts', '[ab].ts', '!src/**', 'a/**b', './src', '@(a|b)']) expect(globSuperset(complex)).toBeUndefined()
  })
})
