/**
 * The chaos schedule, made from a seed alone: when each question is asked and when each fault starts and ends.
 * Same seed, same schedule (the run prints it); only how the network reacts differs from run to run.
 *
 * Faults are spread over the injection window in slots, so that every class happens at least once and no two
 * faults overlap: the network runs one liar of four, so a second honest node down at the same
 * time would leave no quorum by design, not by fault. Kills are followed by a restart after a seeded pause.
 */
import { createSeededRandom } from './seeded-random.ts'

export const FAULT_KINDS = ['nodeKill', 'aggregatorKill', 'natsServerKill', 'rpcOutage', 'diskFull', 'outsiderFlood'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/** The hostile pages a question can name (served by hostile-site.ts). */
export const HOSTILE_KINDS = ['nested-html', 'nested-json', 'slow', 'huge'] as const
export type HostileKind = (typeof HOSTILE_KINDS)[number]

export type PlannedFault = {
  kind: FaultKind
  /** Ms after the injection window opens. */
  atMs: number
  /** How long the fault lasts (a killed process is started again after it). */
  durationMs: number
  /** Which node (0-based), aggregator, NATS server; or for rpcOutage 0 = drop, 1 = stall. */
  target: number
}

export type PlannedQuestion = {
  atMs: number
  /** A demo question key, or a hostile variant of one. */
  base: 'hockey-winner' | 'football-result' | 'bridge-approved' | 'mayor-election' | 'nwc-above-100'
  hostile: HostileKind | undefined
}

export type ChaosSchedule = { seed: number; windowMs: number; faults: PlannedFault[]; questions: PlannedQuestion[] }

export type PlanScheduleParameters = {
  seed: number
  quick: boolean
  nodes: number
  aggregators: number
  natsServers: number
}

const DEMO_BASES = ['hockey-winner', 'football-result', 'bridge-approved', 'mayor-election', 'nwc-above-100'] as const
/** The honest question a hostile page is added to (hostile-questions.ts says why each). */
const HOSTILE_BASE: Record<HostileKind, PlannedQuestion['base']> = {
  'nested-html': 'hockey-winner',
  'nested-json': 'nwc-above-100',
  slow: 'hockey-winner',
  huge: 'football-result',
}

export function planSchedule(parameters: PlanScheduleParameters): ChaosSchedule {
  const { seed, quick } = parameters
  const random = createSeededRandom(seed)
  const windowMs = quick ? 180_000 : 1_500_000
  const honestQuestions = quick ? 20 : 200
  const hostileRounds = quick ? 1 : 4
  // Every class once in a quick run; the full run repeats the list (each kind 10 times).
  const rounds = quick ? 1 : 10
  const faults: PlannedFault[] = []
  const kinds: FaultKind[] = []
  for (let r = 0; r < rounds; r++) kinds.push(...FAULT_KINDS, ...(quick ? (['nodeKill'] as const) : []))
  // Slots: the window minus a tail where nothing starts, so the last fault ends inside it.
  const slotMs = Math.floor((windowMs - 20_000) / kinds.length)
  const order = shuffle(kinds, random)
  for (const [i, kind] of order.entries()) {
    // Start in the first fifth of the slot, end a second before the next slot begins: no two faults overlap.
    const atMs = i * slotMs + random.int(0, Math.floor(slotMs * 0.2))
    const durationMs = Math.min(Math.floor(slotMs * 0.8) - 1_000, durationFor(kind, random))
    const target =
      kind === 'nodeKill' ? random.int(0, parameters.nodes - 1)
      : kind === 'aggregatorKill' ? random.int(0, parameters.aggregators - 1)
      : kind === 'natsServerKill' ? random.int(0, parameters.natsServers - 1)
      : kind === 'rpcOutage' ? random.int(0, 1)
      // The full disk is under one honest node's state (node index 1: see run-chaos.ts).
      : kind === 'diskFull' ? 1
      : 0
    faults.push({ kind, atMs, durationMs, target })
  }
  const questions: PlannedQuestion[] = []
  for (let i = 0; i < honestQuestions; i++) questions.push({ atMs: random.int(0, windowMs - 10_000), base: random.pick(DEMO_BASES), hostile: undefined })
  for (let r = 0; r < hostileRounds; r++) {
    for (const hostile of HOSTILE_KINDS) questions.push({ atMs: random.int(0, windowMs - 10_000), base: HOSTILE_BASE[hostile], hostile })
  }
  questions.sort((a, b) => a.atMs - b.atMs)
  return { seed, windowMs, faults, questions }
}

function durationFor(kind: FaultKind, random: ReturnType<typeof createSeededRandom>): number {
  switch (kind) {
    // A crash and a restart a few seconds later (a supervisor's restart delay).
    case 'nodeKill':
    case 'aggregatorKill':
      return random.int(2_000, 8_000)
    case 'natsServerKill':
      return random.int(3_000, 10_000)
    // Long enough to outlast the aggregator's 1-2-4-8 s commit backoff (issue finding 3 saw 20 s abandon a round).
    case 'rpcOutage':
      return random.int(12_000, 22_000)
    case 'diskFull':
      return random.int(10_000, 20_000)
    case 'outsiderFlood':
      return random.int(3_000, 6_000)
  }
}

function shuffle<T>(items: readonly T[], random: ReturnType<typeof createSeededRandom>): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
