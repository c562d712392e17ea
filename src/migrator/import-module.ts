import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { dynamicImport } from './dynamic-import.js'
import { privateFolder } from './private-folder.js'

/** The extensions of TypeScript modules, which Node 20 cannot import on its own. */
export const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts'])

let jiti: Promise<(file: string) => Promise<unknown>> | undefined

/**
 * Imports a `.js` or `.ts` module. The runtime's own `import()` is tried first (a TypeScript-aware runtime or loader
 * then shares its module instances with the caller); Node 20 without a loader cannot import TypeScript, so that falls
 * back to jiti, loaded only then. `version` makes an edited file a new module for the import cache.
 */
export async function importModule(file: string, version?: string): Promise<unknown> {
  const url = `${pathToFileURL(file).href}${version ? `?v=${version}` : ''}`
  try {
    return await dynamicImport(url)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (!TYPESCRIPT_EXTENSIONS.has(extname(file)) || code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error
  }
  jiti ??= (dynamicImport('jiti') as Promise<typeof import('jiti')>).then(({ createJiti }) => {
    // No module cache: callers cache by content themselves, and an edited file must load as it now is. The file cache
    // is keyed by the source text: it spares transpiling an unchanged file again (Babel, most of a second), no more.
    const fsCache = privateFolder(join(tmpdir(), `codeindex-jiti-${process.getuid?.() ?? 'user'}`)) ?? false
    const instance = createJiti(import.meta.url, { fsCache, moduleCache: false, interopDefault: false })
    return (path: string) => instance.import(path)
  })
  return (await jiti)(file)
}
