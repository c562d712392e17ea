import { posix } from 'node:path'

/**
 * `relative` joined to the folder of `fromPath` and normalized (`src/a.c` + `../b.h` -> `b.h`); undefined when the
 * result climbs above the indexed root, where no indexed file can be.
 */
export function joinRelative(fromPath: string, relative: string): string | undefined {
  const joined = posix.normalize(posix.join(posix.dirname(fromPath), relative))
  return joined === '..' || joined.startsWith('../') ? undefined : joined
}
