// Bundles the CLI into dist/src/bin/ (one entry and a chunk per command, loaded on demand): Node's ESM loader spends
// most of a short command's time resolving Kysely's hundreds of modules otherwise. Native and WebAssembly packages
// stay external. The bundle sits two folders below dist/, like the modules it inlines, so that their
// import.meta.url-relative paths (the package's migrations, the parse worker) hold.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

rmSync('dist/src/bin', { recursive: true, force: true })

await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/src/bin',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'web-tree-sitter', 'tree-sitter-wasms', 'jiti', 'kysely-codegen', 'typescript'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
})
