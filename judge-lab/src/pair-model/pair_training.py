"""What the pair judge's two training scripts share (train-pair-model.py, train-use-pair-model.py): the exact-match
flags, masked attention and pooling, the loss that reads FEVER's "not entailment" pairs, and the per-source
validation tally. Imported after each script has set its thread count."""
import torch


def match_flags(a, b):
    other = set(b)
    return [1.0 if t in other else 0.0 for t in a]


def masked_softmax(scores, mask, dim=-1):
    return torch.softmax(scores.masked_fill(mask == 0, -1e4), dim=dim)


def pool(v, m):
    mean = (v * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True).clamp_min(1.0)
    mx = v.masked_fill(m.unsqueeze(-1) == 0, -1e4).max(1)[0]
    return [mean, mx]


def loss_fn(logits, y, weight=None):
    # y: 0..2 a label, 3 "not entailment" (neutral or contradiction: the FEVER pairs that say only that).
    # weight: each pair's share of the batch mean (--source-weight); None is every pair at 1.
    logp = torch.log_softmax(logits, -1)
    exact = -logp.gather(1, y.clamp(max=2).unsqueeze(1)).squeeze(1)
    not_ent = -torch.logsumexp(logp[:, 1:], dim=1)
    per_pair = torch.where(y == 3, not_ent, exact)
    return per_pair.mean() if weight is None else (per_pair * weight).mean()


def evaluate(model, examples, batchify, batch, by_length=False):
    """Accuracy on `examples`, overall and per source; `by_length` batches them shortest first (less padding)."""
    model.eval()
    by_source = {}
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i]["p"]), len(examples[i]["h"]))) if by_length else range(len(examples))
    order = list(order)
    with torch.no_grad():
        for i in range(0, len(order), batch):
            chunk = [examples[j] for j in order[i : i + batch]]
            *inputs, y = batchify(chunk)
            pred = model(*inputs).argmax(-1)
            for x, yy, pp in zip(chunk, y.tolist(), pred.tolist()):
                ok = (pp != 0) if yy == 3 else (pp == yy)
                s = by_source.setdefault(x["source"], [0, 0])
                s[0] += int(ok)
                s[1] += 1
    model.train()
    total = sum(v[0] for v in by_source.values()) / max(1, sum(v[1] for v in by_source.values()))
    return total, {k: round(v[0] / v[1], 4) for k, v in sorted(by_source.items())}
