/**
 * The pieces files of the pair-model scripts (export-pair-pieces.ts, export-restated-pairs.ts,
 * train-use-pair-model.py --dump-valid): one JSON object a line, read in file order, and a row's piece ids as the
 * node's pair runner takes them.
 */
import { readFileSync } from 'node:fs'
import type { EncodedPair } from '@sibyl/oracle-node/nlp/create-pair-judge'
import { matchFlags } from '@sibyl/oracle-node/nlp/encode-pieces'

/** The non-blank lines of a JSON-lines file, parsed, in order. */
export function readJsonLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T)
}

/** A row's premise and statement piece ids with their match flags, as createPairModelRunner reads them. */
export function encodedPair(p: number[], h: number[]): EncodedPair {
  return { p, pm: matchFlags(p, h), h, hm: matchFlags(h, p), masks: true }
}
