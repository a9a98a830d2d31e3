import test from 'ava'
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { HOSTILE_KINDS } from './plan-schedule.ts'
import { createQuestionBuilder } from './hostile-questions.ts'

const build = createQuestionBuilder({ demoSitesUrl: 'http://127.0.0.1:4000', hostilePageUrl: (kind) => `http://127.0.0.1:5000/${kind}` })

test('an honest question is the demo question, its truth the expected outcome', (t) => {
  const q = build({ atMs: 0, base: 'football-result', hostile: undefined })
  t.is(q.outcomes[Number(q.truth)], 'Draw')
  t.false(q.specJson.includes(':5000/'))
})

test('a hostile question keeps its honest sources, adds the hostile page last, and keeps the truth', (t) => {
  for (const hostile of HOSTILE_KINDS) {
    const base = build({ atMs: 0, base: hostile === 'nested-json' ? 'nwc-above-100' : 'hockey-winner', hostile: undefined })
    const q = build({ atMs: 0, base: hostile === 'nested-json' ? 'nwc-above-100' : 'hockey-winner', hostile })
    const spec = questionSpecSchema.parse(JSON.parse(q.specJson))
    const honest = questionSpecSchema.parse(JSON.parse(base.specJson))
    t.deepEqual(spec.sources.slice(0, -1), honest.sources)
    t.is(spec.sources.at(-1)!.url, `http://127.0.0.1:5000/${hostile}`)
    t.is(q.truth, base.truth)
    t.not(q.specJson, base.specJson, 'a different spec, so a different specHash')
  }
})
