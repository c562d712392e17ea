import { fileURLToPath } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'

/**
 * Starts the worker module `module` (a path under src/, such as `indexing/parse-worker`): the compiled `.js` when
 * running from dist/ (or the bundled CLI in dist/src/bin/, which sits as deep), the TypeScript source through jiti
 * when running from sources (the tests).
 */
export function startWorker(module: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new Worker(new URL(`../${module}.js`, here), { workerData, resourceLimits })
  const source = fileURLToPath(new URL(`../${module}.ts`, here))
  const bootstrap = `import('jiti').then(({ createJiti }) => createJiti(${JSON.stringify(here)}).import(${JSON.stringify(source)}))`
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits })
}
