import { writeSync } from 'node:fs'
import { CodeIndexError } from '../errors.js'

/** Where a command writes; a seam so that tests can capture output without spawning a process. */
export interface Output {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

export const processOutput: Output = {
  stdout: (text) => writeFully(1, text, (rest) => process.stdout.write(rest)),
  stderr: (text) => process.stderr.write(text),
}

/**
 * Writes all of `text` to `fd` at once, as `process.stdout` does on Linux, without constructing `process.stdout`: for
 * a pipe, that loads Node's net and stream modules, 2-3 ms of a CLI call whose output is one write. A reader that has
 * gone (EPIPE) gets nothing more, as with `| head`. A non-blocking descriptor that is full (EAGAIN) hands the rest to
 * `whenFull` (for stdout, `process.stdout`, which waits for room).
 */
export function writeFully(fd: number, text: string, whenFull: (rest: Uint8Array) => void): void {
  const bytes = Buffer.from(text)
  let offset = 0
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EAGAIN') whenFull(bytes.subarray(offset))
    else if (code !== 'EPIPE') throw error
  }
}

/** Thrown by a command to end with a non-zero exit code after it has reported the failure itself. */
export class CommandFailed extends Error {
  constructor(readonly exitCode = 1) {
    super('command failed')
  }
}

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
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]
  return `codeindex: ${code}: ${message}`
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
