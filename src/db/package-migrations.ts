import { fileURLToPath } from 'node:url'

/**
 * The folder of codeindex's own migrations: `migrations/` (TypeScript sources) when running from the repository,
 * `dist/migrations/` (compiled, with `migrations.sum` carrying the sources' checksums) when installed. Every module that
 * inlines this one sits two folders below the root (src/db/, dist/src/db/, the bundled CLI in dist/src/bin/).
 */
export const PACKAGE_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations/', import.meta.url))
