// The one place that names this repository's index, migrations and backups. Read by `codeindex` (CLI), by
// `npm run codegen`, and by kysely-ctl (`npx kysely migrate latest`), which runs the guarded migrator it declares.
// A host application writes the same file with `import { defineConfig } from 'codeindex'`.
import { defineConfig } from './src/config/define-config.js'

export default defineConfig({
  database: '.codeindex/index.db',
  migrationFolder: 'migrations',
  backupFolder: '.codeindex/backups',
})
