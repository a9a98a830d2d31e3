/**
 * One node or aggregator as the operating system sees it: a separate process started the way an operator starts
 * it (`sibyl node --config FILE`), its output appended to a log file, crashed with SIGKILL and started again on
 * the same config and state. Ready means its metrics endpoint answers (the services open it last, once they run).
 *
 * Supervised like the compose file runs them (`restart: unless-stopped`): a process that exits on its own — a
 * crash the run did not cause — is reported to `onCrash` (with the last lines it wrote) and started again after
 * `restartDelayMs`, as often as it takes. A crash is a finding the run reports; the restart is what an
 * operator's supervisor does, so one crash does not hide every later figure.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { BaseError } from '@sibyl/protocol/errors'

export class ServiceProcessError extends BaseError {
  override name = 'ServiceProcessError' as const
}

export type ServiceCrash = { name: string; atMs: number; code: number | null; signal: string | null; lastLines: string[] }

export type ServiceProcess = {
  name: string
  metricsUrl: string
  /** Where its stdout and stderr go, every start appended. */
  logFile: string
  pid: () => number | undefined
  /** Starts it (and keeps it running) until kill() or stop(); resolves once it is ready. */
  start: () => Promise<void>
  /** SIGKILL: no shutdown hook runs, in-flight writes stop where they are. Not restarted until start(). */
  kill: () => Promise<void>
  /** SIGTERM, then SIGKILL after graceMs. Not restarted. */
  stop: (graceMs?: number) => Promise<void>
  /** Times a process was spawned. */
  starts: () => number
}

export type CreateServiceProcessParameters = {
  name: string
  command: string
  args: readonly string[]
  env: NodeJS.ProcessEnv
  cwd: string
  logFile: string
  metricsUrl: string
  readyTimeoutMs: number
  restartDelayMs: number
  /** Told about each child as soon as it is spawned (the run's cleanup kills them all, whatever happens). */
  onSpawn: (child: ChildProcess) => void
  onCrash: (crash: ServiceCrash) => void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function createServiceProcess(parameters: CreateServiceProcessParameters): ServiceProcess {
  let child: ChildProcess | undefined
  let starts = 0
  let wanted = false
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null
  const running = () => (child && !exited(child) ? child : undefined)
  const waitExit = (c: ChildProcess, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (exited(c)) return resolve(true)
      const timer = setTimeout(() => resolve(false), ms)
      c.once('exit', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  const lastLines = () => {
    try {
      return readFileSync(parameters.logFile, 'utf8').trimEnd().split('\n').slice(-6).map((l) => l.slice(0, 400))
    } catch {
      return []
    }
  }
  const spawnOnce = () => {
    const fd = openSync(parameters.logFile, 'a')
    const c = spawn(parameters.command, [...parameters.args], { cwd: parameters.cwd, env: parameters.env, stdio: ['ignore', fd, fd] })
    closeSync(fd)
    child = c
    starts++
    parameters.onSpawn(c)
    c.once('exit', (code, signal) => {
      if (!wanted || child !== c) return
      parameters.onCrash({ name: parameters.name, atMs: Date.now(), code, signal, lastLines: lastLines() })
      void (async () => {
        await sleep(parameters.restartDelayMs)
        if (wanted && child === c) await bringUp().catch(() => undefined)
      })()
    })
    return c
  }
  const waitReady = async (c: ChildProcess, deadline: number): Promise<boolean> => {
    for (;;) {
      if (exited(c)) return false
      try {
        const res = await fetch(parameters.metricsUrl, { signal: AbortSignal.timeout(1000) })
        const body = await res.text()
        // Its own metrics (labelled with its name), not whatever else may answer on that port.
        if (res.ok && body.includes(`="${parameters.name}"`)) return true
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new ServiceProcessError(`${parameters.name} was not ready within ${parameters.readyTimeoutMs} ms; see ${parameters.logFile}.`)
      await sleep(250)
    }
  }
  // One spawn and wait; a process that dies while starting is restarted by its exit handler while wanted.
  const bringUp = async () => {
    if (running()) return
    const deadline = Date.now() + parameters.readyTimeoutMs
    for (;;) {
      const c = running() ?? spawnOnce()
      if (await waitReady(c, deadline)) return
      if (!wanted) return
      await sleep(parameters.restartDelayMs)
      if (Date.now() > deadline) throw new ServiceProcessError(`${parameters.name} kept exiting during start-up; see ${parameters.logFile}.`)
    }
  }
  const halt = async (signal: NodeJS.Signals, graceMs: number) => {
    wanted = false
    const c = running()
    if (!c) return
    c.kill(signal)
    if (!(await waitExit(c, graceMs))) {
      c.kill('SIGKILL')
      await waitExit(c, 5_000)
    }
  }
  return {
    name: parameters.name,
    metricsUrl: parameters.metricsUrl,
    logFile: parameters.logFile,
    pid: () => running()?.pid,
    starts: () => starts,
    start: async () => {
      wanted = true
      await bringUp()
    },
    kill: () => halt('SIGKILL', 10_000),
    stop: (graceMs = 10_000) => halt('SIGTERM', graceMs),
  }
}
