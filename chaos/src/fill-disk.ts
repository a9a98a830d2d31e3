/**
 * A full disk under one node's state directory: a small tmpfs is mounted there before the node starts (it
 * writes its journal and state into it as usual), and during the fault a dummy file takes every free byte; the
 * node's writes then fail with ENOSPC, as on a real full disk. Freeing removes the dummy file. Needs root
 * (`mount -t tmpfs`); where mounting is refused, `mounted` is false and the run says the fault could not be made.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export type StateDisk = {
  dir: string
  mounted: boolean
  /** Why mounting failed, when it did. */
  mountError: string | undefined
  /** Fills the disk; returns the bytes the dummy file took. */
  fill: () => number
  free: () => void
  unmount: () => void
}

const DUMMY = '.chaos-disk-filler'

export function mountStateDisk(dir: string, sizeBytes: number): StateDisk {
  let mounted = false
  let mountError: string | undefined
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' })
    mounted = true
  } catch (error) {
    mountError = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()
  }
  const dummy = join(dir, DUMMY)
  return {
    dir,
    mounted,
    mountError,
    fill: () => {
      if (!mounted) return 0
      const chunk = Buffer.alloc(64 * 1024)
      const fd = openSync(dummy, 'a')
      let written = 0
      try {
        // Big chunks, then single pages, then bytes: the file takes the very last block.
        for (const size of [chunk.length, 4096, 1]) {
          for (;;) {
            try {
              written += writeSync(fd, chunk, 0, size)
            } catch {
              break
            }
          }
        }
      } finally {
        closeSync(fd)
      }
      return written
    },
    free: () => rmSync(dummy, { force: true }),
    unmount: () => {
      if (!mounted) return
      mounted = false
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
      } catch {
        // Already gone (a second cleanup); nothing is left to undo.
      }
    },
  }
}
