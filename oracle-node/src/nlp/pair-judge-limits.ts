/** How much of a pair the pair judge reads (tokens): training and serving share these. */
export const PAIR_MAX_PREMISE_TOKENS = 96
export const PAIR_MAX_HYPOTHESIS_TOKENS = 48
/** Out-of-vocabulary words are hashed into this many learned buckets (ids 1..N; 0 is padding). */
export const PAIR_OOV_BUCKETS = 64
/** The same bounds in the sentence encoder's pieces (the `use` architecture): a word is 1.3 pieces on average. */
export const PAIR_MAX_PREMISE_PIECES = 128
export const PAIR_MAX_HYPOTHESIS_PIECES = 64
