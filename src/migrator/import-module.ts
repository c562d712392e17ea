import { extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { dynamicImport } from './dynamic-import.js'
import { compiledCodeFolder, privateFolder } from './private-folder.js'

/** The extensions of TypeScript modules, which Node 20 cannot import on its own. */
export const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts'])

export interface ImportModuleOptions {
  /** Makes an edited file a new module for the runtime's import cache. */
  readonly version?: string | undefined
  /**
   * Keeps jiti's transpiled output of a TypeScript file in `jiti/` of the compiled-code folder (`compiledCodeFolder`),
   * keyed by the file and its text, so that loading it again skips Babel (most of a second). For files loaded on every
   * run (a config), not for migrations, which load once, at fresh paths in tests: their entries would only pile up.
   */
  readonly keepTranspiled?: boolean | undefined
}

const jitis = new Map<boolean, Promise<(file: string) => Promise<unknown>>>()

function transpilingImport(keepTranspiled: boolean): Promise<(file: string) => Promise<unknown>> {
  let loaded = jitis.get(keepTranspiled)
  if (!loaded) {
    loaded = (dynamicImport('jiti') as Promise<typeof import('jiti')>).then(({ createJiti }) => {
      // No module cache: callers cache by content themselves, and an edited file must load as it now is.
      const parent = keepTranspiled ? compiledCodeFolder() : undefined
      const folder = parent === undefined ? undefined : privateFolder(join(parent, 'jiti'))
      const instance = createJiti(import.meta.url, { fsCache: folder ?? false, moduleCache: false, interopDefault: false })
      return (path: string) => instance.import(path)
    })
    jitis.set(keepTranspiled, loaded)
  }
  return loaded
}

/**
 * Imports a `.js` or `.ts` module. The runtime's own `import()` is tried first (a TypeScript-aware runtime or loader
 * then shares its module instances with the caller); Node 20 without a loader cannot import TypeScript, so that falls
 * back to jiti, loaded only then.
 */
export async function importModule(file: string, options: ImportModuleOptions = {}): Promise<unknown> {
  const url = `${pathToFileURL(file).href}${options.version ? `?v=${options.version}` : ''}`
  try {
    return await dynamicImport(url)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (!TYPESCRIPT_EXTENSIONS.has(extname(file)) || code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error
  }
  return (await transpilingImport(options.keepTranspiled ?? false))(file)
}
