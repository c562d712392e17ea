import { writeSync } from 'node:fs'
import { CodeIndexError } from '../errors.js'

/** Where a command writes; a seam so that tests can capture output without spawning a process. */
export interface Output {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

export const processOutput: Output = {
  stdout: (text) => writeFully(1, text),
  stderr: (text) => writeFully(2, text),
}

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Writes all of `text` to `fd` before returning, as `process.stdout` does for files and pipes on Linux, without
 * constructing `process.stdout`: for a pipe, that loads Node's net and stream modules, 2-3 ms of a CLI call whose
 * output is one write. Nothing is left queued, so the launcher can end the process once a command has finished. A
 * non-blocking descriptor that is full (EAGAIN) is waited on, a millisecond at a time; a reader that has gone (EPIPE)
 * gets nothing more, as under `| head`.
 */
export function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text)
  let offset = 0
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EPIPE') return
      if (code !== 'EAGAIN') throw error
      Atomics.wait(pause, 0, 0, 1)
    }
  }
}

/** Thrown by a command to end with a non-zero exit code after it has reported the failure itself. */
export class CommandFailed extends Error {
  constructor(readonly exitCode = 1) {
    super('command failed')
  }
}

const CONTROL_NAMES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r' }

/** The one line the CLI prints for a failure: `codeindex: CODE: message`. */
export function errorLine(error: unknown): string {
  const code =
    error instanceof CodeIndexError
      ? error.code
      : error instanceof TypeError || error instanceof RangeError
        ? 'INVALID_ARGUMENT'
      : typeof (error as { code?: unknown })?.code === 'string'
        ? (error as { code: string }).code
        : 'UNEXPECTED'
  const message = error instanceof Error ? error.message : String(error)
  // Control characters (from a file name, say) are shown, not sent to the terminal: an escape sequence would act, and
  // a line break would cut the one line short (a path holding one was shown up to it). Trailing ones go.
  return `codeindex: ${code}: ${message.trimEnd().replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (character) => CONTROL_NAMES[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`)}`
}

/**
 * Reports a failure on stderr: its one line, then with `debug` its stack and each cause's (the typed error says what
 * failed, its cause why).
 */
export function reportError(output: Output, error: unknown, debug: boolean | undefined): void {
  output.stderr(`${errorLine(error)}\n`)
  if (!debug) return
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    output.stderr(`${depth === 0 ? '' : 'caused by: '}${cause.stack ?? cause.message}\n`)
  }
}

/** The JSON document for a failure under `--json`. */
export function errorJson(error: unknown): { ok: false; error: { code: string; message: string; migration?: string } } {
  const line = errorLine(error).slice('codeindex: '.length)
  const split = line.indexOf(': ')
  const migration = (error as { migrationName?: unknown })?.migrationName
  return {
    ok: false,
    error: {
      code: line.slice(0, split),
      message: line.slice(split + 2),
      ...(typeof migration === 'string' ? { migration } : {}),
    },
  }
}

export function printJson(output: Output, value: unknown): void {
  output.stdout(`${JSON.stringify(value, null, 2)}\n`)
}

/** Readable log lines on stderr, for --debug: `level message {fields}`. */
export function stderrLogger(output: Output) {
  const line = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) =>
    output.stderr(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`)
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}
