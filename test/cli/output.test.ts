import { execFileSync } from 'node:child_process'
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeFully } from '../../src/cli/output.js'
import { tempDir } from '../helpers.js'

const TEXT = 'héllo ✓ wörld\n'.repeat(20_000)

function neverFull(): never {
  throw new Error('whenFull was called')
}

/** Both ends of a named pipe, opened non-blocking. */
function fifo(): { read: number; write: number } {
  const path = join(tempDir(), 'pipe')
  execFileSync('mkfifo', [path])
  const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const write = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
  return { read, write }
}

/** Everything a non-blocking descriptor has to give now. */
function drain(fd: number): Buffer {
  const chunks: Buffer[] = []
  const chunk = Buffer.alloc(65_536)
  for (;;) {
    let count: number
    try {
      count = readSync(fd, chunk)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break
      throw error
    }
    if (count === 0) break
    chunks.push(Buffer.from(chunk.subarray(0, count)))
  }
  return Buffer.concat(chunks)
}

describe('writeFully', () => {
  it('writes all of a text, multi-byte characters included', () => {
    const path = join(tempDir(), 'out.txt')
    const fd = openSync(path, 'w')
    writeFully(fd, TEXT, neverFull)
    closeSync(fd)
    expect(readFileSync(path, 'utf8')).toBe(TEXT)
  })

  it('hands what a full non-blocking pipe did not take to whenFull, byte for byte', () => {
    const { read, write } = fifo()
    const rests: Uint8Array[] = []
    writeFully(write, TEXT, (rest) => rests.push(Buffer.from(rest)))
    const taken = drain(read)
    closeSync(read)
    closeSync(write)
    expect(rests).toHaveLength(1)
    expect(taken.length).toBeGreaterThan(0)
    expect(taken.length).toBeLessThan(Buffer.byteLength(TEXT))
    expect(Buffer.concat([taken, rests[0]!]).toString('utf8')).toBe(TEXT)
  })

  it('drops the output when the reader has gone (EPIPE), as under `| head`', () => {
    const { read, write } = fifo()
    closeSync(read)
    expect(() => writeFully(write, TEXT, neverFull)).not.toThrow()
    closeSync(write)
  })

  it('throws any other write error, with its code', () => {
    const fd = openSync(join(tempDir(), 'closed.txt'), 'w+')
    closeSync(fd)
    expect(() => writeFully(fd, 'x', neverFull)).toThrow(expect.objectContaining({ code: 'EBADF' }))
  })
})
