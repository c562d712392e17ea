import { createHash } from 'node:crypto'

/**
 * The checksum recorded for a migration: `sha256:` and the hex digest of its source text, with a leading BOM removed
 * and CRLF/CR line ends turned into LF, so that a checkout on Windows and one on Linux agree.
 *
 * ```ts
 * migrationChecksum('export async function up() {}\r\n') === migrationChecksum('export async function up() {}\n') // true
 * ```
 */
export function migrationChecksum(source: string | Uint8Array): string {
  // The common case, a UTF-8 file without BOM or CR, is hashed as it is, without decoding.
  if (typeof source !== 'string' && !source.includes(0x0d) && !(source[0] === 0xef && source[1] === 0xbb && source[2] === 0xbf)) {
    return `sha256:${createHash('sha256').update(source).digest('hex')}`
  }
  let text = typeof source === 'string' ? source : new TextDecoder('utf-8').decode(source)
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  text = text.replace(/\r\n?/g, '\n')
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`
}
