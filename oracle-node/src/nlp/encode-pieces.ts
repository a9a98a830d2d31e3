/**
 * Token ids for the pair judge's `use` architecture: the sentence encoder's own SentencePiece (Unigram) pieces,
 * from a tokenizer.json shipped beside the model, read by transformers.js as the training export reads it
 * (judge-lab/src/pair-model/export-pair-pieces.ts): training and runtime ids cannot drift apart.
 *
 * Each side is cut to its bound before tokenizing (a hostile passage costs no more than a long one), then to
 * its piece limit. A per-piece exact-match flag (the same piece occurs on the other side) lets names and
 * numbers align even where the encoder's vectors for them are weak.
 */
import { readFileSync } from 'node:fs'
import { PreTrainedTokenizer } from '@huggingface/transformers'
import { PAIR_MAX_HYPOTHESIS_PIECES, PAIR_MAX_PREMISE_PIECES } from './pair-judge-limits.ts'

export type PieceTokenizer = { encode: (text: string) => number[] }

/** Characters read per side: generous for PAIR_MAX_*_PIECES pieces, and a bound on a hostile passage. */
const MAX_CHARS = 2_000

export function createPieceTokenizer(tokenizerPath: string): PieceTokenizer {
  const json = JSON.parse(readFileSync(tokenizerPath, 'utf8')) as unknown
  const tokenizer = new PreTrainedTokenizer(json as never, { model_max_length: 1_000_000 } as never)
  return { encode: (text) => tokenizer.encode(text, { add_special_tokens: false }) }
}

export type EncodedPieces = {
  premise: number[]
  premiseMatch: number[]
  hypothesis: number[]
  hypothesisMatch: number[]
  /**
   * Either side is mostly text the encoder has no pieces for (another script, emoji): every such character is
   * the one unknown piece, so two unrelated texts would look alike. The judge reads such a pair as no evidence.
   */
  unreadable: boolean
}

/** The unknown piece and the bare word-start piece ("▁", what precedes an unknown character). */
const UNKNOWN_PIECE = 0
const BARE_WORD_START = 30

function mostlyUnknown(ids: readonly number[]): boolean {
  const unknown = ids.filter((id) => id === UNKNOWN_PIECE).length
  const known = ids.filter((id) => id !== UNKNOWN_PIECE && id !== BARE_WORD_START).length
  return unknown > 0 && unknown >= known
}

/** 1 where a piece of `side` also occurs in `other` (the training scripts' match_flags). */
export function matchFlags(side: readonly number[], other: readonly number[]): number[] {
  const present = new Set(other)
  return side.map((id) => (present.has(id) ? 1 : 0))
}

export function encodePieces(tokenizer: PieceTokenizer, premiseText: string, hypothesisText: string): EncodedPieces {
  let premise = tokenizer.encode(premiseText.slice(0, MAX_CHARS)).slice(0, PAIR_MAX_PREMISE_PIECES)
  let hypothesis = tokenizer.encode(hypothesisText.slice(0, MAX_CHARS)).slice(0, PAIR_MAX_HYPOTHESIS_PIECES)
  // An empty side would give attention nothing to attend to: the unknown piece (id 0) stands in.
  if (premise.length === 0) premise = [0]
  if (hypothesis.length === 0) hypothesis = [0]
  return {
    premise,
    premiseMatch: matchFlags(premise, hypothesis),
    hypothesis,
    hypothesisMatch: matchFlags(hypothesis, premise),
    unreadable: mostlyUnknown(premise) || mostlyUnknown(hypothesis),
  }
}
