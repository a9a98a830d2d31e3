/**
 * A temporary folder for a test file, removed when its process exits (AVA runs each file in a process of its
 * own). Tests that made folders with mkdtemp and never removed them left about thirty in the temp folder per
 * run of the suite.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made = new Set<string>()
let removeOnExit = false

export function testTempDir(prefix: string): string {
  if (!removeOnExit) {
    removeOnExit = true
    process.once('exit', () => {
      for (const dir of made) {
        // Best effort: a folder still in use (a mount a failed test left behind) is not worth a failing exit.
        try {
          rmSync(dir, { recursive: true, force: true })
        } catch {
          /* left behind */
        }
      }
    })
  }
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.add(dir)
  return dir
}
