/**
 * Fool Me Twice: player-written claims with their gold Wikipedia evidence (one to a few sentences), and, as
 * a second figure, the same claims over the 10 sentences the authors retrieved from the page plus the gold
 * ones: the judge must find the evidence among distractors, as on a real page.
 */
import { createTextJudgeAdapter } from './text-judge-adapter.ts'
import { text, type Row } from '../read-dataset.ts'

const label = (row: Row) => ({ SUPPORTS: 'SUPPORTS', REFUTES: 'REFUTES' })[text(row.label)]
const sentences = (value: unknown) => (Array.isArray(value) ? value.map((e) => text((e as { text?: unknown }).text)).filter((s) => s !== '') : [])

export const foolMeTwice = createTextJudgeAdapter({
  name: 'fool_me_twice',
  folder: 'fool_me_twice',
  task: 'claim verification',
  protocol: '"<claim>?" YES/NO over the gold evidence sentences; SUPPORTS = YES, REFUTES = NO; best outcome scored',
  gold: label,
  claim: (row) => text(row.claim),
  passages: (row) => sentences(row.gold_evidence),
  yes: 'SUPPORTS',
  no: 'REFUTES',
})

export const foolMeTwiceRetrieved = createTextJudgeAdapter({
  name: 'fool_me_twice_retrieved',
  folder: 'fool_me_twice',
  task: 'claim verification',
  protocol: 'as fool_me_twice, over the 10 retrieved sentences of the page plus the gold ones (distractors)',
  gold: label,
  claim: (row) => text(row.claim),
  passages: (row) => [...new Set([...sentences(row.retrieved_evidence), ...sentences(row.gold_evidence)])],
  yes: 'SUPPORTS',
  no: 'REFUTES',
})
