// A parse worker: one Extractor (one tree-sitter parser per grammar) per thread, answering AnalyzeJob messages.
import { parentPort, workerData } from 'node:worker_threads'
import { analyzeFile, type AnalyzeJob } from './analyze-file.js'
import { Extractor } from './extractor.js'

const extractor = new Extractor((workerData as { grammarFolder?: string } | null)?.grammarFolder)
const port = parentPort!

port.on('message', (message: { readonly id: number; readonly job: AnalyzeJob }) => {
  void analyzeFile(message.job, extractor).then((result) => port.postMessage({ id: message.id, result }))
})
