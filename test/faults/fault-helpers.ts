import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(import.meta.dirname, '..', '..')
const register = pathToFileURL(join(root, 'node_modules', 'jiti', 'lib', 'jiti-register.mjs')).href
const script = join(root, 'test', 'fixtures', 'index-child.ts')

export interface Child {
  readonly process: ChildProcessWithoutNullStreams
  /** Everything the child printed so far. */
  output(): string
  /** Resolves once the child printed `line` (a prefix of one of its lines). */
  printed(line: string): Promise<void>
  /** Starts the child's work. */
  go(): void
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>
}

/** Starts test/fixtures/index-child.ts and resolves once it is loaded and waiting for `go()`. */
export async function startChild(...args: string[]): Promise<Child> {
  const child = spawn(process.execPath, ['--import', register, script, ...args], { cwd: root })
  let output = ''
  const waiters: Array<{ line: string; resolve: () => void }> = []
  const check = () => {
    for (const waiter of [...waiters]) {
      if (output.split('\n').some((line) => line.startsWith(waiter.line))) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    check()
  })
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()))
  const exited = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(code ?? signal ?? -1)))
  const handle: Child = {
    process: child,
    output: () => output,
    printed: (line) =>
      new Promise<void>((done, fail) => {
        waiters.push({ line, resolve: done })
        check()
        void exited.then(() => {
          if (waiters.some((waiter) => waiter.line === line)) fail(new Error(`the child exited without printing "${line}":\n${output}`))
        })
      }),
    go: () => child.stdin.write('go\n'),
    exited,
  }
  await handle.printed('ready')
  return handle
}
