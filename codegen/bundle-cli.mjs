// Bundles the CLI into dist/src/bin/: main.cjs, a small launcher, and cli.cjs, every command in one CommonJS file
// that the launcher compiles through V8's code cache (src/cli/compile-cache.ts). Node 20 has no code cache for ES
// modules, and compiling the bundle was most of a short command's own time; Node's ESM loader would also spend it
// resolving Kysely's hundreds of modules. A command's modules still run only when that command does (esbuild wraps
// a dynamically imported module in a lazy initializer). Native and WebAssembly packages stay external. The bundle sits
// two folders below dist/, like the modules it inlines, so that their import.meta.url-relative paths (the package's
// migrations, the parse worker) hold.
import { readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

rmSync('dist/src/bin', { recursive: true, force: true })

const common = {
  outdir: 'dist/src/bin',
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
}

// What better-sqlite3's require('bindings') gets in the bundle: its addon at the usual place, else bindings' own search
// from the package's folder.
const ADDON_LOADER = `const { dirname, join } = require('node:path')
module.exports = (name) => {
  const root = dirname(require.resolve('better-sqlite3/package.json'))
  try {
    return require(join(root, 'build', 'Release', name))
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error
    return require(require.resolve('bindings', { paths: [root] }))({ bindings: name, module_root: root })
  }
}`

await build({
  ...common,
  entryPoints: { cli: 'src/cli/program.ts' },
  // The launcher reads the bundle as Latin-1, which is exact for ASCII: non-ASCII in strings is escaped.
  charset: 'ascii',
  external: ['better-sqlite3/package.json', 'web-tree-sitter', 'tree-sitter-wasms', 'jiti', 'kysely-codegen', 'typescript'],
  plugins: [
    {
      // better-sqlite3's JavaScript is bundled, so that it comes from the code cache too; its addon is loaded from the
      // installed package. Its `bindings` lookup would search from the bundle's folder, and tries a dozen paths: the
      // usual one first, then bindings told where the package is.
      name: 'better-sqlite3-addon',
      setup(build) {
        build.onResolve({ filter: /^bindings$/ }, (args) =>
          /[\\/]node_modules[\\/]better-sqlite3[\\/]/.test(args.importer) ? { path: 'bindings', namespace: 'addon' } : undefined,
        )
        build.onLoad({ filter: /.*/, namespace: 'addon' }, () => ({
          contents: ADDON_LOADER,
          loader: 'js',
        }))
      },
    },
    {
      // commander requires child_process as it loads, for executable subcommands, which codeindex has none of: 2-3 ms
      // of every call. Its require gets an object that loads the module on first use.
      name: 'lazy-child-process',
      setup(build) {
        build.onResolve({ filter: /^node:child_process$/ }, (args) =>
          /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
        )
        build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
          contents: "let loaded\nmodule.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] })",
          loader: 'js',
        }))
      },
    },
    {
      // Code compiled from V8's code cache has no import() on Node 20: the bundle imports through the launcher's.
      name: 'launcher-import',
      setup(build) {
        build.onLoad({ filter: /[\\/]src[\\/]migrator[\\/]dynamic-import\.ts$/ }, () => ({
          contents: 'export const dynamicImport = (specifier: string): Promise<unknown> => __launcherImport(specifier)',
          loader: 'ts',
        }))
      },
    },
  ],
})

await build({
  ...common,
  entryPoints: { main: 'src/cli/launcher.ts' },
})

// The launcher's import() must stay one: esbuild's CommonJS stand-in, require(), cannot load an ES module on Node 20.
if (!readFileSync('dist/src/bin/main.cjs', 'utf8').includes('(specifier) => import(specifier)')) {
  throw new Error('dist/src/bin/main.cjs lost its import(): the launcher could not load ES modules')
}

// A dynamic import left in the bundle would fail only when its code path first runs from the cache.
const bundle = readFileSync('dist/src/bin/cli.cjs', 'latin1')
const stray = bundle.match(/(?<![\w$.'"`])import\(/g)
if (stray) throw new Error(`dist/src/bin/cli.cjs holds ${stray.length} import() call(s); import through dynamicImport()`)
