// A parse worker: one Extractor (one tree-sitter parser per grammar) per thread, answering AnalyzeJob messages.
import { constants, setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { analyzeFile, postedAnalysis, type AnalyzeJob } from './analyze-file.js'
import { Extractor } from './extractor.js'

// Parsing is background work: below normal priority, this thread yields the CPU to the writer (the indexer's own main
// thread), to searches and to the host's threads. Linux keeps a nice value per thread, so this lowers only this one;
// where that is not so or not permitted, parsing runs at normal priority.
try {
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL)
} catch {
  // not permitted here
}

const extractor = new Extractor((workerData as { grammarFolder?: string } | null)?.grammarFolder)
const port = parentPort!

port.on('message', (message: { readonly id: number; readonly job: AnalyzeJob }) => {
  void analyzeFile(message.job, extractor).then((result) => {
    const { posted, transfer } = postedAnalysis(result)
    port.postMessage({ id: message.id, result: posted }, transfer)
  })
})
