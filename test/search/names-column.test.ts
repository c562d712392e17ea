import { describe, expect, it } from 'vitest'
import { exactName, namesOf, namesSquashingTo } from '../../src/search/names-column.js'
import { splitWords } from '../../src/indexing/split-words.js'
import { random } from '../schema/schema-helpers.js'

describe('namesSquashingTo', () => {
  it('finds every name that is exact for a text, in thousands of random documents of both formats', () => {
    const next = random(23)
    const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
    // Words, separators, and the characters that fold or lower-case to ASCII (ſ, K, İ) or are letters beyond it.
    const pieces = ['zeta', 'Zeta', 'ZETA', 'fn', 'Fn', 'x9', '9', 'http', 'HTTP', '$', '_', '-', '.', '#', ':', 'k', 'i']
    const rare = ['é', 'ſ', '\u212a', '\u0130']
    const nameOf = () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(next() < 0.005 ? rare : pieces)).join('')
    let found = 0
    let checked = 0
    for (let round = 0; round < 3000; round++) {
      const names = Array.from({ length: 1 + Math.floor(next() * 40) }, nameOf).filter((name) => !name.includes(' '))
      const text = next() < 0.8 ? names.join('\n') : names.join(' ')
      // A name as typed, lower-cased, or its words joined by a space or an underscore.
      const texts = Array.from({ length: 1 + Math.floor(next() * 2) }, () => {
        const name = next() < 0.7 ? pick(names) : nameOf()
        return pick([name, name.toLowerCase(), splitWords(name).join(' '), splitWords(name).join('_')])
      })
      const finder = namesSquashingTo(texts)
      const candidates = finder?.(text)
      if (candidates === undefined) continue
      checked++
      const all = namesOf(text)
      const exact = all.filter((name) => texts.some((typed) => exactName(name, { text: typed })))
      for (const name of exact) expect([texts, name, candidates.includes(name)]).toEqual([texts, name, true])
      for (const name of candidates) expect(all).toContain(name)
      found += exact.length
    }
    // The property held where it was put to the test, many times over.
    expect(checked).toBeGreaterThan(1000)
    expect(found).toBeGreaterThan(1000)
  })

  it('leaves to the caller what it cannot find exactly: texts beyond ASCII or of under three letters, and K or İ', () => {
    expect(namesSquashingTo(['ärger'])).toBeUndefined()
    expect(namesSquashingTo(['fn'])).toBeUndefined()
    expect(namesSquashingTo(['$_'])).toBeUndefined()
    const finder = namesSquashingTo(['kelvin'])!
    expect(finder('\u212aelvin\nother')).toBeUndefined()
    expect(finder('\u0130\nkel_vin')).toBeUndefined()
    expect(finder('KELVIN\nkel$vin\nkelvins\nother\nke.l-vin')).toEqual(['KELVIN', 'kel$vin', 'kelvins', 'ke.l-vin'])
    // Written before names went one a line: between spaces.
    expect(finder('a kel_vin b')).toEqual(['kel_vin'])
    expect(namesSquashingTo([])!('kelvin')).toEqual([])
  })
})
