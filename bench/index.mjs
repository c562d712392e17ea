// npm run bench:index — builds, then indexes two corpora with the compiled library, each measurement in a process of
// its own so that peak RSS is that run's:
//   - synthetic: 10,000 generated files in mixed languages (about 40 MB), deterministic;
//   - node_modules: the JavaScript and TypeScript files under this project's own node_modules.
// For each it prints files/s, MB/s, wall time, peak RSS, index size / source size (with and without the trigram
// content index), a re-run with no changes, and re-runs after touching 10 files (twice with the parse threads the cold
// run left up, once by a new indexer, which compiles its grammars). For the write-path ratio (ours / raw)
// it writes the same files' analyses with the indexer's IndexWriter, and re-inserts the same rows with plain
// better-sqlite3 prepared statements, each into a fresh database of the same schema, in the same process, neither
// beside parsing. Figures only: it asserts nothing about time.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = new URL('../dist/src/', import.meta.url)
const load = async (module) => import(new URL(module, dist).href)
const peakRssMb = () => process.resourceUsage().maxRSS / 1024

// ---------------------------------------------------------------------------------------------------------------
// The synthetic corpus

export function random(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = 'index search parse file tree node query result cache store buffer token symbol module config option value record batch stream reader writer builder handler service client server request response error event state model view router schema table column entry item list map set queue task job worker pool scope frame'.split(' ')

/** Definitions a generated source file holds (methods, for Java: three fewer): the corpus comes to about 40 MB. */
const DEFINITIONS = 11

function generators(next) {
  const pick = (values) => values[Math.floor(next() * values.length)]
  const camel = (n) => Array.from({ length: n }, (_, i) => (i === 0 ? pick(WORDS) : pick(WORDS)[0].toUpperCase() + pick(WORDS).slice(1))).join('')
  const pascal = (n) => camel(n)[0].toUpperCase() + camel(n).slice(1)
  const snake = (n) => Array.from({ length: n }, () => pick(WORDS)).join('_')
  const body = (indent, lines) => Array.from({ length: lines }, () => `${indent}${pick(['const', 'let'])} ${camel(2)} = ${camel(2)}(${camel(1)}, ${Math.floor(next() * 100)})`).join('\n')
  return {
    ts: (i) => {
      const parts = [`import { ${pascal(2)} } from './module-${Math.floor(next() * i + 1)}'`, `import * as ${camel(1)} from 'node:path'`, '']
      for (let k = 0; k < DEFINITIONS; k++) {
        parts.push(`/** ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} for the ${pick(WORDS)}. */`)
        if (k % 3 === 0) parts.push(`export class ${pascal(2)}${k} {\n  private ${camel(1)} = 0\n  ${camel(2)}(${camel(1)}: string, ${camel(1)}: number): number {\n${body('    ', 6)}\n    return 1\n  }\n  async ${camel(2)}(): Promise<void> {\n${body('    ', 5)}\n  }\n}`)
        else if (k % 3 === 1) parts.push(`export interface ${pascal(2)}${k} {\n  ${camel(1)}: string\n  ${camel(1)}?: number\n}\nexport type ${pascal(1)}${k} = ${pascal(2)}${k} | null`)
        else parts.push(`export function ${camel(3)}${k}(${camel(1)}: string, ${camel(1)} = 2): string {\n${body('  ', 8)}\n  return ''\n}`)
      }
      return parts.join('\n') + '\n'
    },
    js: (i) => {
      const parts = [`const ${camel(1)} = require('./module-${Math.floor(next() * i + 1)}')`, '']
      for (let k = 0; k < DEFINITIONS; k++) {
        parts.push(`// ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`)
        parts.push(k % 2 ? `class ${pascal(2)}${k} {\n  ${camel(2)}(${camel(1)}) {\n${body('    ', 6)}\n  }\n}` : `function ${camel(3)}${k}(${camel(1)}, ${camel(1)}) {\n${body('  ', 8)}\n}`)
      }
      parts.push(`module.exports = { ${camel(1)} }`)
      return parts.join('\n') + '\n'
    },
    py: () => {
      const parts = [`from .${snake(1)} import ${pascal(2)}`, `import os`, '']
      for (let k = 0; k < DEFINITIONS; k++) {
        if (k % 2) parts.push(`class ${pascal(2)}${k}:\n    """${pick(WORDS)} ${pick(WORDS)}."""\n\n    def ${snake(2)}(self, ${snake(1)}, ${snake(1)}=None):\n${Array.from({ length: 6 }, () => `        ${snake(2)} = ${snake(1)}(${Math.floor(next() * 100)})`).join('\n')}\n        return None\n`)
        else parts.push(`def ${snake(3)}_${k}(${snake(1)}, ${snake(1)}):\n    """${pick(WORDS)} ${pick(WORDS)}."""\n${Array.from({ length: 8 }, () => `    ${snake(2)} = ${snake(1)}(${Math.floor(next() * 100)})`).join('\n')}\n    return 0\n`)
      }
      return parts.join('\n') + '\n'
    },
    go: () => {
      const parts = ['package main', '', 'import (\n\t"fmt"\n\t"strings"\n)', '']
      for (let k = 0; k < DEFINITIONS; k++) {
        parts.push(`// ${pascal(2)}${k} ${pick(WORDS)} ${pick(WORDS)}.`)
        parts.push(k % 2 ? `type ${pascal(2)}${k} struct {\n\t${pascal(1)} string\n\t${camel(1)} int\n}` : `func ${pascal(3)}${k}(${camel(1)} string, ${camel(1)} int) string {\n${Array.from({ length: 8 }, () => `\t${camel(2)} := fmt.Sprint(${Math.floor(next() * 100)})`).join('\n')}\n\treturn strings.TrimSpace("")\n}`)
      }
      return parts.join('\n') + '\n'
    },
    rs: () => {
      const parts = ['use std::collections::HashMap;', '']
      for (let k = 0; k < DEFINITIONS; k++) {
        parts.push(`/// ${pick(WORDS)} ${pick(WORDS)}.`)
        parts.push(k % 2 ? `pub struct ${pascal(2)}${k} {\n    ${snake(1)}: u32,\n}` : `pub fn ${snake(3)}_${k}(${snake(1)}: u32) -> u32 {\n${Array.from({ length: 8 }, () => `    let ${snake(2)} = ${Math.floor(next() * 100)};`).join('\n')}\n    0\n}`)
      }
      return parts.join('\n') + '\n'
    },
    java: () => {
      const name = pascal(2)
      const methods = Array.from({ length: DEFINITIONS - 3 }, (_, k) => `  /** ${pick(WORDS)}. */\n  public int ${camel(2)}${k}(String ${camel(1)}) {\n${Array.from({ length: 6 }, () => `    int ${camel(2)} = ${Math.floor(next() * 100)};`).join('\n')}\n    return 0;\n  }`)
      return `package com.example;\n\nimport java.util.List;\n\npublic class ${name} {\n${methods.join('\n')}\n}\n`
    },
    c: () => {
      const parts = ['#include <stdio.h>', '#include "util.h"', '']
      for (let k = 0; k < DEFINITIONS; k++) parts.push(`/* ${pick(WORDS)} */\nint ${snake(3)}_${k}(int ${snake(1)}) {\n${Array.from({ length: 8 }, () => `  int ${snake(2)} = ${Math.floor(next() * 100)};`).join('\n')}\n  return 0;\n}`)
      return parts.join('\n') + '\n'
    },
    md: () => `# ${pascal(2)}\n\n${Array.from({ length: 5 * DEFINITIONS }, () => Array.from({ length: 12 }, () => pick(WORDS)).join(' ')).join('\n\n')}\n`,
  }
}

export function writeSynthetic(root, count) {
  const next = random(42)
  const make = generators(next)
  const mix = [['ts', 40], ['js', 15], ['py', 15], ['go', 10], ['rs', 5], ['java', 5], ['c', 5], ['md', 5]]
  let bytes = 0
  for (let i = 0; i < count; i++) {
    let roll = next() * 100
    const [extension] = mix.find(([, share]) => (roll -= share) < 0) ?? mix[0]
    const folder = join(root, `pkg${i % 50}`, `area${i % 7}`)
    mkdirSync(folder, { recursive: true })
    const text = make[extension](i)
    writeFileSync(join(folder, `module-${i}.${extension}`), text)
    bytes += text.length
  }
  return bytes
}

// ---------------------------------------------------------------------------------------------------------------
// One measured run, in a child process

/** Files per transaction in the write-path comparison, as the indexer writes them. */
const BATCH = 250
const TABLES = ['files', 'definitions', 'imports', 'symbols', 'file_tags', 'search_documents', 'file_contents']

async function measure(corpus, root, work, contentIndex) {
  const { openDatabase } = await load('db/open-database.js')
  const { createIndexMigrator } = await load('db/create-index-migrator.js')
  const { Indexer } = await load('indexing/indexer.js')
  const dbPath = join(work, `${corpus}-${contentIndex}.db`)
  const database = openDatabase(dbPath)
  const migrated = await createIndexMigrator(database, { backupFolder: false }).migrateToLatest()
  if (migrated.error) throw migrated.error
  if (contentIndex === 'off') database.prepare(`UPDATE index_settings SET value = 'off' WHERE key = 'content_index'`).run()
  const options = corpus === 'node_modules' ? { defaultExcludes: false, gitignore: false, include: ['**/*.{js,mjs,cjs,ts,mts,cts,tsx,jsx}'] } : {}
  const indexer = new Indexer(database, options)
  // With a signal, as the CLI passes one (for Ctrl-C): the path people run, which once kept every file's rows alive.
  const cold = await indexer.index(root, { signal: new AbortController().signal })
  const coldRss = peakRssMb()
  if (cold.status !== 'Completed') throw cold.error ?? new Error(cold.status)
  database.pragma('wal_checkpoint(TRUNCATE)')
  const indexBytes = statSync(dbPath).size
  const unchanged = await indexer.index(root)
  // Touch 10 files: new content, so that they are read, hashed and parsed again.
  const touched = cold.files.filter((file) => file.status === 'Indexed').slice(0, 10)
  for (const [index, file] of touched.entries()) {
    writeFileSync(join(root, file.path), `${readText(join(root, file.path))}\n// touched ${index}\n`)
  }
  const afterTouch = await indexer.index(root)
  // The same files changed again, in the same process: the grammars the first touch loaded in this thread are loaded
  // now, as in an editor or a watcher that keeps one indexer. (Other files could need grammars not loaded yet.)
  for (const [index, file] of touched.entries()) {
    writeFileSync(join(root, file.path), `${readText(join(root, file.path))}\n// touched again ${index}\n`)
  }
  const afterSecondTouch = await indexer.index(root)
  // A new indexer, after the first stopped its threads: the first files of each language wait for their grammar.
  await indexer.close()
  for (const [index, file] of touched.entries()) {
    writeFileSync(join(root, file.path), `${readText(join(root, file.path))}\n// touched by a new indexer ${index}\n`)
  }
  const fresh = new Indexer(database, options)
  const afterNewIndexer = await fresh.index(root)
  await fresh.close()
  const rawMs = contentIndex === 'on' ? await rawInsert(database, work, corpus) : undefined
  const replayMs = contentIndex === 'on' ? await replayWrites(root, options, work, corpus) : undefined
  database.close()
  return {
    files: cold.totals.indexed,
    skipped: cold.totals.skipped,
    bytes: cold.totals.bytes,
    coldMs: cold.durationMs,
    walkMs: cold.timings.walkMs,
    writeMs: cold.timings.writeMs,
    mergeMs: cold.timings.mergeMs,
    coldRss,
    indexBytes,
    unchangedMs: unchanged.durationMs,
    touchedMs: afterTouch.durationMs,
    touchedIndexed: afterTouch.totals.indexed,
    touchedAgainMs: afterSecondTouch.durationMs,
    touchedNewIndexerMs: afterNewIndexer.durationMs,
    rawMs,
    replayMs,
  }
}

function readText(path) {
  return readFileSync(path, 'utf8')
}

/**
 * Our write path alone: the files analysed again (in worker threads, beforehand), then written with the indexer's
 * IndexWriter into a fresh database of the same schema, in transactions of 250 files as the indexer writes them. The
 * cold run's own write time shares the CPU with parsing; this one, like the baseline, does not.
 */
async function replayWrites(root, options, work, corpus) {
  const { openDatabase } = await load('db/open-database.js')
  const { createIndexMigrator } = await load('db/create-index-migrator.js')
  const { createAnalyzer } = await load('indexing/analyzer.js')
  const { IndexWriter } = await load('indexing/index-writer.js')
  const { walkTree } = await load('indexing/walk-tree.js')
  const walked = walkTree(root, options).files
  const analyzer = createAnalyzer(2)
  const analyses = await Promise.all(
    walked.map((file) => analyzer.analyze({ path: file.path, absolutePath: file.absolutePath, size: file.size, previousHash: undefined, maxFileSize: 1024 * 1024, keepContent: true })),
  )
  await analyzer.close()
  const target = openDatabase(join(work, `${corpus}-replay.db`))
  const migrated = await createIndexMigrator(target, { backupFolder: false }).migrateToLatest()
  if (migrated.error) throw migrated.error
  const writer = new IndexWriter(target)
  const indexedAt = new Date().toISOString()
  const started = performance.now()
  for (let offset = 0; offset < analyses.length; offset += BATCH) {
    writer.transaction(() => {
      for (const [index, analysis] of analyses.slice(offset, offset + BATCH).entries()) writer.write(analysis, walked[offset + index].mtimeMs, indexedAt)
    })
  }
  const elapsed = performance.now() - started
  target.close()
  return elapsed
}

/**
 * The baseline: the same rows, read back from our index, inserted into a fresh database of the same schema with plain
 * prepared statements in one transaction per 250 files, as our writer batches them.
 */
async function rawInsert(source, work, corpus) {
  const { openDatabase } = await load('db/open-database.js')
  const { createIndexMigrator } = await load('db/create-index-migrator.js')
  const target = openDatabase(join(work, `${corpus}-raw.db`))
  const migrated = await createIndexMigrator(target, { backupFolder: false }).migrateToLatest()
  if (migrated.error) throw migrated.error
  const data = Object.fromEntries(TABLES.map((table) => [table, source.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()]))
  // Every table, search documents included (since migration 5 no trigger creates them): the same rows, with their ids.
  const insert = Object.fromEntries(
    TABLES.map((table) => {
      const columns = Object.keys(data[table][0] ?? { id: 0 })
      const sql = `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`
      return [table, target.prepare(sql)]
    }),
  )
  const byFile = (table) => {
    const map = new Map()
    for (const row of data[table]) {
      const list = map.get(row.file_id) ?? []
      list.push(row)
      map.set(row.file_id, list)
    }
    return map
  }
  const children = Object.fromEntries(['definitions', 'imports', 'symbols', 'file_tags', 'file_contents', 'search_documents'].map((t) => [t, byFile(t)]))
  const started = performance.now()
  for (let offset = 0; offset < data.files.length; offset += BATCH) {
    target.transaction(() => {
      for (const file of data.files.slice(offset, offset + BATCH)) {
        insert.files.run(file)
        for (const table of ['definitions', 'symbols', 'file_tags', 'file_contents']) for (const row of children[table].get(file.id) ?? []) insert[table].run(row)
        for (const row of children.imports.get(file.id) ?? []) insert.imports.run({ ...row, resolved_file_id: null })
        for (const row of children.search_documents.get(file.id) ?? []) insert.search_documents.run(row)
      }
    }).immediate()
  }
  const elapsed = performance.now() - started
  // The same rows, or the ratio compares different work.
  for (const table of TABLES) {
    const count = target.prepare(`SELECT count(*) AS n FROM ${table}`).get().n
    if (count !== data[table].length) throw new Error(`raw insert: ${table} holds ${count} rows, the index ${data[table].length}`)
  }
  target.close()
  return elapsed
}

// ---------------------------------------------------------------------------------------------------------------

const direct = process.argv[1] === fileURLToPath(import.meta.url)
if (!direct) {
  // Imported for its corpus generator.
} else if (process.argv[2] === '--child') {
  const [corpus, root, work, contentIndex] = process.argv.slice(3)
  console.log(JSON.stringify(await measure(corpus, root, work, contentIndex)))
} else {
  const work = mkdtempSync(join(tmpdir(), 'codeindex-bench-index-'))
  const self = fileURLToPath(import.meta.url)
  const child = (corpus, root, contentIndex) => {
    const out = spawnSync(process.execPath, [self, '--child', corpus, root, work, contentIndex], { encoding: 'utf8', maxBuffer: 1 << 26 })
    if (out.status !== 0) throw new Error(out.stderr)
    return JSON.parse(out.stdout.trim().split('\n').pop())
  }
  try {
    const synthetic = join(work, 'synthetic')
    const sourceBytes = writeSynthetic(synthetic, 10_000)
    const nodeModules = fileURLToPath(new URL('../node_modules', import.meta.url))
    const corpora = [
      ['synthetic (10,000 files)', 'synthetic', synthetic],
      ['node_modules (js/ts)', 'node_modules', nodeModules],
    ]
    console.log(`codeindex bench:index (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, synthetic source ${(sourceBytes / 1e6).toFixed(1)} MB)`)
    for (const [label, corpus, root] of corpora) {
      // The touch step edits files: node_modules is measured on a copy, never in place.
      const on = child(corpus, corpus === 'node_modules' ? copyOf(root, work) : root, 'on')
      const off = child(corpus, corpus === 'node_modules' ? copyOf(root, work) : root, 'off')
      const mb = on.bytes / 1024 / 1024
      const row = (name, value, target = '') => console.log(`  ${name.padEnd(52)} ${String(value).padStart(12)}   ${target}`)
      console.log(label)
      row('files indexed (skipped)', `${on.files} (${on.skipped})`)
      row('source read', `${mb.toFixed(1)} MB`)
      row('cold index, wall time', `${(on.coldMs / 1000).toFixed(2)} s`, corpus === 'synthetic' ? 'target <= 8 s' : '')
      row('  files/s | MB/s', `${Math.round(on.files / (on.coldMs / 1000))} | ${(mb / (on.coldMs / 1000)).toFixed(1)}`)
      row('  walk | write (in transactions) | merge', `${on.walkMs.toFixed(0)} | ${on.writeMs.toFixed(0)} | ${on.mergeMs.toFixed(0)} ms`)
      row('  peak RSS', `${on.coldRss.toFixed(0)} MB`, corpus === 'synthetic' ? 'target <= 300 MB' : '')
      row('write path: ours / raw better-sqlite3', `${(on.replayMs / on.rawMs).toFixed(2)}x`, `${on.replayMs.toFixed(0)} / ${on.rawMs.toFixed(0)} ms (each alone), target <= 1.5x`)
      row('re-run, no changes', `${on.unchangedMs.toFixed(0)} ms`, corpus === 'synthetic' ? 'target <= 1000 ms' : '')
      row(`re-run, ${on.touchedIndexed} files touched`, `${on.touchedMs.toFixed(0)} ms`, corpus === 'synthetic' ? 'target <= 150 ms (threads kept from the cold run)' : '')
      row('re-run, the same 10 changed again', `${on.touchedAgainMs.toFixed(0)} ms`, corpus === 'synthetic' ? 'target <= 150 ms' : '')
      row('re-run, the same 10 changed, by a new indexer', `${on.touchedNewIndexerMs.toFixed(0)} ms`, 'grammars compiled on first use')
      row('index size / source size, content index on', `${(on.indexBytes / on.bytes).toFixed(2)}`)
      row('index size / source size, content index off', `${(off.indexBytes / off.bytes).toFixed(2)}`, 'target <= 0.6')
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** A private copy of a tree (files only), so that the touch step never edits the original. */
function copyOf(root, work) {
  const target = join(work, `copy-${Math.random().toString(36).slice(2)}`)
  spawnSync('cp', ['-r', root, target])
  return target
}
