import { fileURLToPath } from 'node:url'

/**
 * The folder of codeindex's own migrations: `migrations/` (TypeScript sources) when running from the repository,
 * `dist/migrations/` (compiled, with `migrations.sum` carrying the sources' checksums) when installed.
 */
export const PACKAGE_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations/', import.meta.url))
