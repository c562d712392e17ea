// Bundles the CLI into dist/src/bin/: main.mjs, a small launcher, and cli.cjs, every command in one CommonJS file
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
}

await build({
  ...common,
  entryPoints: { cli: 'src/cli/program.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The launcher reads the bundle as Latin-1, which is exact for ASCII: non-ASCII in strings is escaped.
  charset: 'ascii',
  external: ['better-sqlite3', 'web-tree-sitter', 'tree-sitter-wasms', 'jiti', 'kysely-codegen', 'typescript'],
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [
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
  outExtension: { '.js': '.mjs' },
  format: 'esm',
})

// A dynamic import left in the bundle would fail only when its code path first runs from the cache.
const bundle = readFileSync('dist/src/bin/cli.cjs', 'latin1')
const stray = bundle.match(/(?<![\w$.'"`])import\(/g)
if (stray) throw new Error(`dist/src/bin/cli.cjs holds ${stray.length} import() call(s); import through dynamicImport()`)
