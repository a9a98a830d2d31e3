/**
 * A process and its live descendants, read from /proc (Linux): a node runs its heavy work in child processes
 * (`workers.isolation: process`), so its CPU time and memory are those of its whole tree.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Fields after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** `pid` and every live process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const ppid = Number(statFields(Number(name))?.[1])
    if (!Number.isInteger(ppid)) continue
    const list = children.get(ppid)
    if (list) list.push(Number(name))
    else children.set(ppid, [Number(name)])
  }
  const out: number[] = []
  const stack = [pid]
  while (stack.length > 0) {
    const next = stack.pop()!
    out.push(next)
    stack.push(...(children.get(next) ?? []))
  }
  return out
}

/**
 * CPU time (user + system, in ms) of a process tree so far: each live member's own and that of its children
 * already reaped (so a worker replaced in between still counts, through its parent). Clock ticks are 10 ms.
 */
export function processTreeCpuMs(pid: number): number {
  let ticks = 0
  for (const member of processTree(pid)) {
    const f = statFields(member)
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
  }
  return ticks * 10
}

/** The sum over a process tree of a memory field of /proc/PID/status (VmRSS now, VmHWM each member's peak), in MiB. */
export function processTreeMemoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm')
  let kb = 0
  for (const member of processTree(pid)) {
    try {
      kb += Number(line.exec(readFileSync(`/proc/${member}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      // gone in between
    }
  }
  return Math.round((kb / 1024) * 10) / 10
}
