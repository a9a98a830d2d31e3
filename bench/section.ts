/**
 * What one benchmark section is. `bench/run.ts` runs the sections it lists, prints each section's table and
 * the aims, and merges every section's figures into bench/results/latest.json.
 *
 * Adding a section: write `bench/sections/<name>.ts` exporting a `BenchSection`, and add it to the list in
 * bench/run.ts.
 */

export type BenchOptions = {
  /** Smaller counts and fewer repetitions: every key, the whole run in under 3 minutes. */
  quick: boolean
  /** Progress for the person watching (stderr); figures go in the result, never here. */
  log: (message: string) => void
}

export type BenchTable = {
  columns: string[]
  rows: (string | number)[][]
}

/** A target from the issues, checked against a figure of this run. */
export type BenchAim = {
  label: string
  /** The measured value, as printed (e.g. "0.94x raw", "21.3x ethers", "3,120 ms"). */
  value: string
  /** The target, as printed (e.g. "≥ 0.90x raw"). */
  aim: string
  met: boolean
}

export type SectionResult = {
  /** Flat `dotted.key` -> number; merged into bench/results/latest.json. */
  figures: Record<string, number>
  tables: { title: string; table: BenchTable }[]
  aims?: BenchAim[]
  /** Method notes printed under the tables (counts, repetitions, what was excluded from timing). */
  notes?: string[]
}

export type BenchSection = {
  /** Short name used by `--only` (e.g. "verify"). */
  name: string
  title: string
  run: (options: BenchOptions) => Promise<SectionResult>
}
