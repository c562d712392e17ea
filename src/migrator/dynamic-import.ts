/**
 * The runtime's `import()`, for the specifiers known only at run time (migration files, optional packages). The
 * bundled CLI replaces this module with its launcher's own `import()` (see codegen/bundle-cli.mjs): a script that Node
 * 20 compiles from V8's code cache has no `import()` of its own.
 */
export function dynamicImport(specifier: string): Promise<unknown> {
  return import(specifier)
}
