import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Extractor } from './extractor.js'
import { EMPTY_EXTRACTION, type Extraction } from './languages/language-spec.js'
import { languageOf } from './languages/registry.js'

/** One file to look at, as the walk found it. */
export interface AnalyzeJob {
  readonly path: string
  readonly absolutePath: string
  readonly size: number
  /** The hash recorded by the last run; when the content still hashes to it, the file is `Unchanged`. */
  readonly previousHash: string | undefined
  readonly maxFileSize: number
  /** Keep the text for the content index. */
  readonly keepContent: boolean
}

export type SkipReason = 'Binary' | 'TooLarge'

export type FileAnalysis =
  | { readonly status: 'Unchanged'; readonly path: string; readonly hash: string }
  | {
      readonly status: 'Skipped'
      readonly path: string
      readonly reason: SkipReason
      readonly hash: string | null
      readonly size: number
    }
  | {
      readonly status: 'Indexed'
      readonly path: string
      readonly hash: string
      readonly size: number
      readonly lineCount: number
      readonly language: string | null
      readonly content: string | null
      readonly extraction: Extraction
      /** Set when the file could not be parsed and was indexed as text only. */
      readonly degraded: string | null
    }
  | { readonly status: 'Failed'; readonly path: string; readonly reason: string }

type IndexedAnalysis = Extract<FileAnalysis, { readonly status: 'Indexed' }>

/**
 * A {@link FileAnalysis} as a parse thread posts it: an indexed file's extraction (as JSON) and content in UTF-8 bytes,
 * whose memory is transferred, not copied. Cloned as objects and strings, they would wait in the main thread's young
 * generation for the writer, surviving its collections, and V8 would grow that generation to its largest for them.
 */
export type PostedAnalysis =
  | Exclude<FileAnalysis, IndexedAnalysis>
  | (Omit<IndexedAnalysis, 'extraction' | 'content'> & { readonly extraction: Uint8Array; readonly content: Uint8Array | null })

const encoder = new TextEncoder()
/** Decodes what {@link encoder} encoded, a leading U+FEFF included. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/** The analysis to post, and the buffers to transfer with it. */
export function postedAnalysis(analysis: FileAnalysis): { readonly posted: PostedAnalysis; readonly transfer: ArrayBuffer[] } {
  if (analysis.status !== 'Indexed') return { posted: analysis, transfer: [] }
  // JSON escapes a lone surrogate (a signature cut in a pair), which UTF-8 could not hold; decoded text has none.
  const extraction = encoder.encode(JSON.stringify(analysis.extraction))
  const content = analysis.content === null ? null : encoder.encode(analysis.content)
  return {
    posted: { ...analysis, extraction, content },
    transfer: content === null ? [extraction.buffer as ArrayBuffer] : [extraction.buffer as ArrayBuffer, content.buffer as ArrayBuffer],
  }
}

/**
 * The analysis a parse thread posted, its extraction and content decoded from the bytes each time they are read. The
 * bytes (outside V8's heap) stay for a transaction that is retried; the decoded rows live only while the writer writes
 * them, rather than as long as the transaction holds the file, which would carry them into the old generation.
 */
export function receivedAnalysis(posted: PostedAnalysis): FileAnalysis {
  if (posted.status !== 'Indexed') return posted
  const { extraction, content } = posted
  return {
    ...posted,
    get extraction(): Extraction {
      return JSON.parse(decoder.decode(extraction)) as Extraction
    },
    get content(): string | null {
      return content === null ? null : decoder.decode(content)
    },
  }
}

const BINARY_SNIFF = 8000

/**
 * Reads, hashes and parses one file. Never throws: a file that cannot be read is `Failed`, one that cannot be parsed is
 * indexed as text with `degraded` saying why.
 */
export async function analyzeFile(job: AnalyzeJob, extractor: Extractor): Promise<FileAnalysis> {
  const { path } = job
  if (job.size > job.maxFileSize) {
    return { status: 'Skipped', path, reason: 'TooLarge', hash: null, size: job.size }
  }
  let bytes: Buffer
  try {
    bytes = readFileSync(job.absolutePath)
  } catch (error) {
    return { status: 'Failed', path, reason: `cannot read: ${(error as Error).message}` }
  }
  if (bytes.length > job.maxFileSize) return { status: 'Skipped', path, reason: 'TooLarge', hash: null, size: bytes.length }
  const hash = createHash('sha256').update(bytes).digest('hex')
  if (hash === job.previousHash) return { status: 'Unchanged', path, hash }
  if (bytes.subarray(0, BINARY_SNIFF).includes(0)) return { status: 'Skipped', path, reason: 'Binary', hash, size: bytes.length }

  const text = decode(bytes)
  const filename = path.slice(path.lastIndexOf('/') + 1)
  const language = languageOf(filename, text)
  let extraction: Extraction = EMPTY_EXTRACTION
  let degraded: string | null = null
  if (language?.grammar) {
    try {
      extraction = await extractor.extract(language, text)
    } catch (error) {
      degraded = (error as Error).message
    }
  }
  return {
    status: 'Indexed',
    path,
    hash,
    size: bytes.length,
    lineCount: countLines(text),
    language: language?.id ?? null,
    content: job.keepContent ? text : null,
    extraction,
    degraded,
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const latin1 = new TextDecoder('latin1')

/** UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else Latin-1, which decodes any byte sequence. */
export function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch {
    return latin1.decode(bytes)
  }
}

function countLines(text: string): number {
  if (text === '') return 0
  let lines = 1
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines++
  return text.endsWith('\n') ? lines - 1 : lines
}
