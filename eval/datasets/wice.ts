/**
 * WiCE: a Wikipedia sentence checked against the web page it cites (long, sentence-split, mostly
 * irrelevant). "supported" = YES; "partially_supported" and "not_supported" mean the page does not back the
 * whole claim (it does not refute it either), which a node says by abstaining; a NO is wrong for every row.
 */
import { createTextJudgeAdapter } from './text-judge-adapter.ts'
import { text } from '../read-dataset.ts'

export const wice = createTextJudgeAdapter({
  name: 'wice',
  folder: 'wice',
  task: 'claim verification',
  protocol: '"<claim>?" YES/NO over every sentence of the cited page; supported = YES, partially/not supported = abstain; answer at threshold scored',
  gold: (row) => ({ supported: 'SUPPORTED', partially_supported: 'NOT_SETTLED', not_supported: 'NOT_SETTLED' })[text(row.label)],
  claim: (row) => text(row.claim),
  passages: (row) => (Array.isArray(row.evidence_sentences) ? row.evidence_sentences.map(text) : []),
  yes: 'SUPPORTED',
  no: 'REFUTED',
  abstainClass: 'NOT_SETTLED',
})
