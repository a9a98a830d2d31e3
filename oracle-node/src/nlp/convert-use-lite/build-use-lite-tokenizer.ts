/**
 * USE-lite's SentencePiece vocabulary (`vocab.json`: [piece, score] pairs, the id is the index) as a
 * Hugging Face / transformers.js `tokenizer.json` with a Unigram model, tokenizing the way the reference
 * JavaScript tokenizer (`@tensorflow-models/universal-sentence-encoder`) does:
 *
 * - normalise: NFKC, then prepend "▁" and turn every space into "▁";
 * - Viterbi over the pieces by score; anything no piece covers is id 0 (the unknown piece);
 * - ids 1–5 (`<s>`, `</s>`, `extra_token_id_*`) are reserved: the reference never emits them, so they are
 *   renamed `<|reserved_N|>` here, which no real text contains;
 * - pieces whose score is null in the vocabulary score 0, as the reference reads them.
 */
import { BaseError } from '@sibyl/protocol/errors'

export class VocabularyFormatError extends BaseError {
  override name = 'VocabularyFormatError' as const
}

/** The number of leading ids the reference tokenizer reserves (unknown + 5). */
export const RESERVED_IDS = 6

export type BuildUseLiteTokenizerReturnType = {
  /** The tokenizer.json text (compact JSON, UTF-8). */
  tokenizerJson: string
  /** The tokenizer_config.json text. */
  tokenizerConfigJson: string
  vocabSize: number
}

/** Builds tokenizer.json and tokenizer_config.json from the parsed `vocab.json`. */
export function buildUseLiteTokenizer(vocabulary: unknown, maxLength: number): BuildUseLiteTokenizerReturnType {
  if (!Array.isArray(vocabulary) || vocabulary.length <= RESERVED_IDS) throw new VocabularyFormatError('vocab.json is not a list of [piece, score] pairs.')
  const unknownPiece = pieceAt(vocabulary, 0)
  const vocab = vocabulary.map((entry, id): [string, number] => {
    const piece = pieceAt(vocabulary, id)
    const score = (entry as unknown[])[1]
    if (score !== null && (typeof score !== 'number' || !Number.isFinite(score))) throw new VocabularyFormatError(`vocab.json entry ${id} has a bad score.`)
    if (id > 0 && id < RESERVED_IDS) return [`<|reserved_${id}|>`, 0]
    return [piece, score ?? 0]
  })
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFKC' }, { type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: false },
    model: { type: 'Unigram', unk_id: 0, vocab, byte_fallback: false },
  }
  const config = {
    unk_token: unknownPiece,
    pad_token: unknownPiece,
    model_max_length: maxLength,
    tokenizer_class: 'PreTrainedTokenizerFast',
    clean_up_tokenization_spaces: false,
    padding_side: 'right',
  }
  return { tokenizerJson: JSON.stringify(tokenizer), tokenizerConfigJson: `${JSON.stringify(config, null, 1)}\n`, vocabSize: vocab.length }
}

function pieceAt(vocabulary: unknown[], id: number): string {
  const entry = vocabulary[id]
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || entry[0] === '') throw new VocabularyFormatError(`vocab.json entry ${id} is not a [piece, score] pair.`)
  return entry[0]
}
