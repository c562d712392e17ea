// A search reader: one read-only connection in its own thread, answering search messages, so that searches run in
// parallel with each other and with the indexer's writes (WAL lets readers read while one writer writes).
import { parentPort, workerData } from 'node:worker_threads'
import { createKysely } from '../db/create-kysely.js'
import { openDatabase } from '../db/open-database.js'
import { search, type SearchOptions } from './search.js'

const { path } = workerData as { path: string }
const db = createKysely(openDatabase(path, { readonly: true }))
const port = parentPort!

port.on('message', (message: { readonly id: number; readonly query: string; readonly options: SearchOptions }) => {
  search(db, message.query, message.options).then(
    (result) => port.postMessage({ id: message.id, result }),
    (error: Error & { code?: string; position?: number }) =>
      port.postMessage({ id: message.id, error: { name: error.name, message: error.message, code: error.code, position: error.position } }),
  )
})
