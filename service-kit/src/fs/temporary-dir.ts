/**
 * A temporary folder removed, best effort, when this process exits normally (not when a signal kills it), so a
 * caller that forgets to remove it (a test file, a NATS store nobody asked to keep) leaves nothing behind.
 * AVA runs each test file in a process of its own, so a test's folders go when its file is done.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made = new Set<string>()
let removeOnExit = false

function remove(dir: string): void {
  // Best effort at exit: a folder still in use (a mount a failed test left behind) is not worth a failing exit.
  try {
    rmSync(dir, { recursive: true, force: true })
  } catch {
    /* left behind */
  }
}

export function temporaryDir(prefix: string): string {
  if (!removeOnExit) {
    removeOnExit = true
    process.once('exit', () => made.forEach(remove))
  }
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.add(dir)
  return dir
}

/** Removes a folder now (and forgets it if temporaryDir made it). */
export function removeTemporaryDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  made.delete(dir)
}
