import picomatch from 'picomatch'

/**
 * Past this many `*`, a glob that needs picomatch's regular expression (classes, braces, extglobs) is refused:
 * backtracking over `**` and several `*` in one segment grows with the path's length to the power of their number
 * (`**` and four `*` took 1.5 s for one 250-character name).
 */
export const MAX_REGEX_GLOB_STARS = 4

/** Literals, `*` and `?` within segments, and `**` as a whole segment: matched here, without a regular expression. */
const SIMPLE = /^[^[\]{}()!+@|\\]*$/

/**
 * A test for paths (relative, `/`-separated) matching any of `globs`, as picomatch with `{ dot: true }` would. A simple
 * glob is matched segment by segment: a segment with the classic wildcard algorithm (back to the last `*` only), and
 * `**` by a table over segment pairs, so no glob takes more than the product of its length and the path's. Others go
 * to picomatch. Returns the offending glob, and why, when one is too costly to match that way.
 */
export function pathMatcher(
  globs: ReadonlyArray<string>,
): { readonly matches: (path: string) => boolean } | { readonly refused: string; readonly reason: string } {
  const tests: Array<(path: string) => boolean> = []
  const complex: string[] = []
  for (const glob of globs) {
    const segments = glob.split('/')
    if (isSimple(glob)) {
      // As picomatch reads it, a trailing `/**` after a segment ending in `*` (`src*/**`) takes one segment at least.
      let trailing = segments.length
      while (trailing > 0 && segments[trailing - 1] === '**') trailing--
      const before = segments[trailing - 1]
      if (trailing < segments.length && before !== undefined && before.endsWith('*')) segments.splice(trailing, 0, '*')
      tests.push((path) => matchSegments(segments, path.split('/')))
    }
    else if ([...glob].filter((character) => character === '*').length > MAX_REGEX_GLOB_STARS) {
      return { refused: glob, reason: `glob ${glob} has more than ${MAX_REGEX_GLOB_STARS} * beside braces, classes or extglobs` }
    }
    else complex.push(glob)
  }
  if (complex.length > 0) tests.push(picomatch(complex, { dot: true }))
  return { matches: (path) => tests.some((test) => test(path)) }
}

/**
 * A SQLite GLOB pattern that every path matching `glob` matches (more may), so that SQL can narrow the paths to test,
 * with an index on the path when the glob starts with literals; undefined for a glob {@link pathMatcher} leaves to
 * picomatch (classes, braces, extglobs, negation). GLOB's `*` and `?` also cross `/`, and `**` with its slashes
 * becomes one `*`.
 */
export function globSuperset(glob: string): string | undefined {
  return isSimple(glob) ? glob.replace(/\/?\*\*\/?/g, '*').replace(/\*+/g, '*') : undefined
}

/** Whether {@link pathMatcher} matches `glob` itself, segment by segment. */
function isSimple(glob: string): boolean {
  // Several stars in a segment with more in it (`**.ts`) picomatch reads in ways of its own: those go to it.
  return (
    SIMPLE.test(glob) &&
    glob.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && (segment === '**' || !segment.includes('**')))
  )
}

/** Whether path segments match glob segments, `**` standing for any number of segments (none too). */
function matchSegments(globSegments: ReadonlyArray<string>, pathSegments: ReadonlyArray<string>): boolean {
  // known[i * (n + 1) + j]: 0 unknown, 1 match, 2 no match, for globSegments from i and pathSegments from j.
  const n = pathSegments.length
  const known = new Uint8Array((globSegments.length + 1) * (n + 1))
  const from = (i: number, j: number): boolean => {
    if (i === globSegments.length) return j === n
    const slot = i * (n + 1) + j
    if (known[slot] !== 0) return known[slot] === 1
    const segment = globSegments[i]!
    const result =
      segment === '**'
        ? from(i + 1, j) || (j < n && from(i, j + 1))
        : j < n && matchSegment(segment, pathSegments[j]!) && from(i + 1, j + 1)
    known[slot] = result ? 1 : 2
    return result
  }
  return from(0, 0)
}

/** The classic wildcard match of one segment: `*` any characters, `?` one; on a mismatch, back to the last `*` only. */
function matchSegment(glob: string, text: string): boolean {
  let g = 0
  let t = 0
  let star = -1
  let resume = 0
  while (t < text.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === text[t])) {
      g++
      t++
    } else if (g < glob.length && glob[g] === '*') {
      star = g++
      resume = t
    } else if (star !== -1) {
      g = star + 1
      t = ++resume
    } else {
      return false
    }
  }
  while (g < glob.length && glob[g] === '*') g++
  return g === glob.length
}
