// npm run bench:concurrency — builds, indexes the 10,000-file synthetic corpus of bench:index (in a child process), then
// measures search throughput and p99 with 1, 2, 4 and 10 concurrent callers through openIndex({ readers: 2 }) (one
// read-only connection per core, in worker threads), first alone (the median throughput of five interleaved rounds,
// and the worst p99 of the five) and then while another process re-indexes 3,000 changed files into the same database.
// Figures only: it asserts nothing about time.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeSynthetic } from './index.mjs'

const dist = new URL('../dist/src/', import.meta.url)
const { openIndex } = await import(new URL('index.js', dist).href)
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]
const QUERIES_PER_ROUND = 600

if (process.argv[2] === '--index') {
  const index = await openIndex({ path: process.argv[3] })
  const result = await index.index(process.argv[4])
  index.close()
  process.exit(result.status === 'Completed' ? 0 : 1)
}

const work = mkdtempSync(join(tmpdir(), 'codeindex-bench-concurrency-'))
try {
  const root = join(work, 'synthetic')
  writeSynthetic(root, 10_000)
  const path = join(work, 'index.db')
  // Indexed by another process: searches are measured in a process that has done nothing else (an index run here
  // leaves a heap full of garbage behind, which slowed single-caller rounds by a quarter and flattered the ratios).
  const writeIndex = () => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--index', path, root], { stdio: 'ignore' })
    return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the index run exited with ${code}`)))))
  }
  await writeIndex()

  const readers = Math.max(2, availableParallelism())
  const index = await openIndex({ path, readers, migrate: false })
  const names = index.database.prepare('SELECT DISTINCT name FROM definitions WHERE length(name) >= 6 ORDER BY name LIMIT 400').all().map((row) => row.name)
  const files = index.database.prepare('SELECT path FROM files ORDER BY path').all().map((row) => row.path)
  // Warm every reader thread (each compiles its own code): two callers at a time reach both. 2,000 searches each: after
  // 200, V8 was still optimizing in the background, on threads that took a third of a core from the rounds.
  const WARM_UP = 2_000 * readers
  for (let at = 0; at < WARM_UP; at += readers) {
    await Promise.all(Array.from({ length: readers }, (_, offset) => index.search(names[(at + offset) % names.length], { limit: 10 })))
  }

  async function round(callers) {
    const latencies = []
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (next < QUERIES_PER_ROUND) {
          const query = names[next++ % names.length]
          const begin = performance.now()
          await index.search(query, { limit: 10 })
          latencies.push(performance.now() - begin)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    return { qps: QUERIES_PER_ROUND / seconds, p99: percentile(latencies, 99) }
  }

  console.log(`codeindex bench:concurrency (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${readers} reader threads, ${availableParallelism()} cores)`)
  const row = (label, result, base, target = '') =>
    console.log(`  ${label.padEnd(34)} ${Math.round(result.qps).toString().padStart(6)} q/s  x${(result.qps / base).toFixed(2)}  p99 ${result.p99.toFixed(1).padStart(6)} ms   ${target}`)
  console.log('searches alone (median of 5 interleaved rounds per caller count: this machine\'s speed drifts)')
  const rounds = { 1: [], 2: [], 4: [], 10: [] }
  for (let repeat = 0; repeat < 5; repeat++) for (const callers of [1, 2, 4, 10]) rounds[callers].push(await round(callers))
  const alone = {}
  for (const [callers, results] of Object.entries(rounds)) {
    const sorted = [...results].sort((a, b) => a.qps - b.qps)
    alone[callers] = { qps: sorted[2].qps, p99: Math.max(...results.map((result) => result.p99)) }
  }
  for (const callers of [1, 2, 4, 10]) row(`${callers} caller(s)`, alone[callers], alone[1].qps, callers >= 2 ? 'target >= x1.70' : '')

  console.log('searches while another process indexes 3,000 changed files')
  for (const file of files.slice(0, 3000)) writeFileSync(join(root, file), `${readFileSync(join(root, file), 'utf8')}\n// changed\n`)
  const writerDone = writeIndex()
  let writing = true
  void writerDone.then(() => (writing = false))
  const busy = {}
  for (const callers of [1, 2, 4, 10]) {
    busy[callers] = await round(callers)
    if (!writing) break
  }
  for (const [callers, result] of Object.entries(busy)) row(`${callers} caller(s)`, result, alone[1].qps, 'target p99 < 50 ms')
  if (!writing) console.log('  (the indexer finished before every round ran beside it)')
  await writerDone
  index.close()
} finally {
  rmSync(work, { recursive: true, force: true })
}
