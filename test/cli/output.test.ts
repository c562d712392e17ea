import { execFileSync, spawn } from 'node:child_process'
import { closeSync, constants, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { errorLine, writeFully } from '../../src/cli/output.js'
import { CodeIndexError } from '../../src/errors.js'
import { tempDir } from '../helpers.js'

const TEXT = 'héllo ✓ wörld\n'.repeat(20_000)

/** A named pipe in a fresh folder. */
function fifo(): string {
  const path = join(tempDir(), 'pipe')
  execFileSync('mkfifo', [path])
  return path
}

describe('writeFully', () => {
  it('writes all of a text, multi-byte characters included', () => {
    const path = join(tempDir(), 'out.txt')
    const fd = openSync(path, 'w')
    writeFully(fd, TEXT)
    closeSync(fd)
    expect(readFileSync(path, 'utf8')).toBe(TEXT)
  })

  it('waits for room on a full non-blocking pipe, and the reader gets every byte', async () => {
    const path = fifo()
    const out = join(tempDir(), 'read.txt')
    // This end is never read from: it lets the write end open without blocking. The pipe holds 64 KiB and the text is
    // over 300 KiB, so the writes fill it until the reader, a process of its own, starts draining it.
    const idle = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const write = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
    const reader = spawn('sh', ['-c', `sleep 0.2; cat "${path}" > "${out}"`])
    const done = new Promise<number | null>((resolve) => reader.on('exit', resolve))
    writeFully(write, TEXT)
    closeSync(write)
    closeSync(idle)
    expect(await done).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe(TEXT)
  })

  it('drops the output when the reader has gone (EPIPE), as under `| head`', () => {
    const path = fifo()
    const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const write = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
    closeSync(read)
    expect(() => writeFully(write, TEXT)).not.toThrow()
    closeSync(write)
  })

  it('throws any other write error, with its code', () => {
    const fd = openSync(join(tempDir(), 'closed.txt'), 'w+')
    closeSync(fd)
    expect(() => writeFully(fd, 'x')).toThrow(expect.objectContaining({ code: 'EBADF' }))
  })
})

describe('errorLine', () => {
  it('is one line, with control characters shown as \\xNN rather than sent to the terminal', () => {
    const error = new CodeIndexError('INDEX_ROOT_INVALID', 'cannot index /tmp/a\u001b[2Jb\u0007\tc: it does not exist')
    expect(errorLine(error)).toBe('codeindex: INDEX_ROOT_INVALID: cannot index /tmp/a\\x1b[2Jb\\x07\tc: it does not exist')
  })

  it('shows a line break inside a message as \\n, so that a path holding one is shown whole; trailing ones go', () => {
    const error = new CodeIndexError('FILE_NOT_INDEXED', 'there is no index at /tmp/x\ny\r/index.db; run `codeindex index` first\n\n')
    expect(errorLine(error)).toBe('codeindex: FILE_NOT_INDEXED: there is no index at /tmp/x\\ny\\r/index.db; run `codeindex index` first')
  })
})
