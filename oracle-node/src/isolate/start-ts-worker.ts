/**
 * Starts a worker on a TypeScript module, as a thread of this process (the default) or as a child process of
 * its own (`isolation: 'process'`). Either way the worker talks through worker-port.ts and its owner sees the
 * same small interface (TsWorker): messages, `error`, `exit`, ref/unref, terminate.
 *
 * Thread: tsx's loader is registered inside the worker (hooks registered on the main thread are not inherited
 * by workers on every Node version we support), then the entry is imported. A failure to start is posted as
 * `{ type: 'boot-failed', message }` before the worker exits, so its owner can log it.
 *
 * Process: the child shares no lock with the node's event loop. A worker thread shares Node.js's own mutexes
 * with it (its message port's queue, the V8 platform's task queue of the whole process, the interrupt queue), and
 * on an oversubscribed machine a thread preempted while it holds one stalls the loop for as long as it waits
 * for a core (BENCHMARKS.md, "Chaos suite"). A child costs its own Node.js runtime (tens of MB) and copies
 * messages instead of transferring buffers. It exits when its owner goes away (the IPC channel closes), so a
 * node killed with SIGKILL leaves no worker behind. A failure to start is its exit code and its stderr.
 *
 * Either way a worker's environment is the node's without the variables whose names look secret (SECRET_ENV):
 * the signing key, a keystore password or a NATS token has no business in a thread or process that parses pages
 * a requester chose.
 *
 * With `niceness`, the worker lowers its own scheduling priority first, before tsx and the entry load: that
 * load is about a second of CPU, and a worker replaced under load (a page overran its budget) must not take
 * it from the event loop's thread. The same steps as lowerThreadPriority (serve-worker-tasks.ts), written out
 * here because this script runs before any TypeScript can be loaded.
 */
import { fork } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import { WORKER_DATA_ENV } from './worker-port.ts'

export type WorkerIsolation = 'thread' | 'process'

export type TsWorker = {
  on(event: 'message', listener: (message: never) => void): TsWorker
  on(event: 'error', listener: (error: Error) => void): TsWorker
  on(event: 'exit', listener: (code: number) => void): TsWorker
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void
  /** Stops the worker, even one inside a synchronous loop; resolves with its exit code. */
  terminate(): Promise<number>
  /** Whether the worker keeps the owner's process alive. */
  ref(): void
  unref(): void
}

export type StartTsWorkerOptions = {
  resourceLimits?: ResourceLimits
  data?: unknown
  niceness?: number
  isolation?: WorkerIsolation
  /** Variables a worker keeps although their names look secret (the model workers: a hub token). */
  keepEnv?: readonly string[]
}

/**
 * Names of environment variables a worker never sees: the node's signing key, keystore password and NATS token
 * come from variables like these (their names are the operator's choice, hence a pattern), and a page worker
 * parses what a requester chose to serve.
 */
const SECRET_ENV = /(^|_)(KEY|PRIVATE|SECRET|PASSWORD|PASSPHRASE|MNEMONIC|TOKEN|CREDS|CREDENTIALS?)(_|$)/i

/** The Hugging Face hub's token variables: a model worker may download a gated model (model.allowRemoteModels). */
export const HUB_TOKEN_ENV = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'] as const

/** Variables named as secret by the service's own config (withholdEnvFromWorkers), whatever their names look like. */
const withheld = new Set<string>()

/**
 * Names the service's config gives its secrets (the key's variable, the keystore password's, the NATS token's):
 * no worker started after this sees them, even where SECRET_ENV would not catch the name.
 */
export function withholdEnvFromWorkers(names: readonly (string | undefined)[]): void {
  for (const name of names) if (name) withheld.add(name)
}

/** This process's environment without the variables that look secret or were withheld, except those in `keep`. */
function workerEnv(keep: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || withheld.has(name)) continue
    if (!SECRET_ENV.test(name) || keep.includes(name)) env[name] = value
  }
  return env
}

// Evaluated as a CommonJS script, hence require.
const bootstrap = `const { workerData, parentPort } = require('node:worker_threads');
if (typeof workerData.niceness === 'number' && process.platform === 'linux') {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) require('node:os').setPriority(tid, workerData.niceness);
  } catch {}
}
import(workerData.loader)
  .then((tsx) => { tsx.register(); return import(workerData.entry) })
  .catch((e) => { parentPort.postMessage({ type: 'boot-failed', message: String(e && e.message || e).slice(0, 500) }); process.exit(1) })`

// Imported by a worker process before tsx and its entry:
// - its niceness, on every thread it has so far (V8's helpers start before this runs) and so on those the main
//   thread starts later;
// - an exit when the owner's IPC channel closes, and, for a worker stuck in synchronous code (a hostile page
//   spinning the parser) whose event loop cannot see that, a watchdog thread that kills the process once it has
//   been handed to another parent: a node killed with SIGKILL leaves no worker behind.
const processBootstrap = `import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
const n = Number(process.env.SIBYL_WORKER_NICENESS);
if (Number.isInteger(n) && n > 0 && process.platform === 'linux') {
  try { for (const tid of readdirSync('/proc/self/task')) { try { setPriority(Number(tid), n) } catch {} } } catch {}
}
process.on('disconnect', () => process.exit(0));
const watchdog = new Worker("const { workerData } = require('node:worker_threads'); setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL') }, 250)", { eval: true, workerData: process.ppid, env: {} });
watchdog.unref();`

export function startTsWorker(entry: URL, options: StartTsWorkerOptions = {}): TsWorker {
  if (options.isolation === 'process') return startProcessWorker(entry, options)
  return new Worker(bootstrap, {
    eval: true,
    workerData: { loader: import.meta.resolve('tsx/esm/api'), entry: entry.href, data: options.data, niceness: options.niceness },
    env: workerEnv(options.keepEnv),
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  }) as unknown as TsWorker
}

function startProcessWorker(entry: URL, options: StartTsWorkerOptions): TsWorker {
  const heapMb = options.resourceLimits?.maxOldGenerationSizeMb
  const child = fork(fileURLToPath(entry), [], {
    execArgv: [
      ...(heapMb !== undefined ? [`--max-old-space-size=${heapMb}`] : []),
      '--import',
      `data:text/javascript,${encodeURIComponent(processBootstrap)}`,
      '--import',
      import.meta.resolve('tsx/esm'),
    ],
    env: {
      ...workerEnv(options.keepEnv),
      [WORKER_DATA_ENV]: JSON.stringify(options.data ?? null),
      SIBYL_WORKER_NICENESS: options.niceness === undefined ? '' : String(options.niceness),
    },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const events = new EventEmitter()
  let exitCode: number | undefined
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 1 : 0)
      resolve(exitCode)
      events.emit('exit', exitCode)
    })
  })
  child.on('message', (message) => events.emit('message', message))
  child.on('error', (error) => events.emit('error', error))
  const worker: TsWorker = {
    on(event: string, listener: (...args: never[]) => void) {
      events.on(event, listener as (...args: unknown[]) => void)
      return worker
    },
    postMessage(message) {
      // A child that already exited says so through its exit event; a lost message is that failure, not a throw here.
      if (child.connected) child.send(message as never, (error) => error && events.emit('error', error))
    },
    async terminate() {
      if (exitCode !== undefined) return exitCode
      // Held until it is gone, as a thread's terminate() is: an unref'd child would let the owner exit first.
      child.ref()
      child.kill('SIGKILL')
      return exited
    },
    ref() {
      child.ref()
      child.channel?.ref()
    },
    unref() {
      child.unref()
      child.channel?.unref()
    },
  }
  return worker
}
