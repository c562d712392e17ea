import type { Output } from '../../src/cli/output.js'
import { runCli } from '../../src/cli/program.js'

/** Runs the CLI in this process from `cwd`, capturing what it prints. */
export async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const output: Output = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) }
  const code = await runCli(argv, output, cwd)
  return { code, stdout, stderr }
}
