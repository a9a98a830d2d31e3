"""
Builds a tiny NLI cross-encoder in the transformers.js layout (config.json, tokenizer.json,
tokenizer_config.json, onnx/model.onnx) with the real BERT architecture (BertForSequenceClassification:
word + position + token-type embeddings, post-norm encoder layers, pooler, classifier) and RANDOM weights.

It exists to test the node's pluggable-judge path end to end (loading through transformers.js, the
tokenizer's pair encoding, batching, the id2label mapping, the model hash) without a downloadable model:
its answers mean nothing. Deterministic: a fixed seed gives the same weights.

    /usr/bin/python3 judge-lab/src/tiny-nli/build-tiny-nli.py OUT_DIR [--labels entailment,neutral,contradiction]
"""
import argparse
import json
import math
import os

import torch
from torch import nn

WORDS = """the a an of to in on at by for with from and or not no never did does do is are was were be been has have had
will would can could should won win wins lost lose beat beats defeated match game final cup team city club
election vote votes elected president mayor minister council bill law passed rejected approved signed
price rose fell above below dollar market stock company shares report reported announced said says denied
confirmed reopened closed open lighthouse bridge harbor storm rain record year today yesterday tomorrow
it he she they we you this that these those there here what who which when where how why yes
""".split()
SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
SUFFIXES = ['##s', '##ed', '##ing', '##er', '##ly', '##e', '##a', '##o', '##i', '##n', '##t', '##r', '##l']
LETTERS = list('abcdefghijklmnopqrstuvwxyz0123456789.,?!\'-')


def build_vocab():
    vocab = []
    for t in SPECIAL + WORDS + LETTERS + ['##' + c for c in 'abcdefghijklmnopqrstuvwxyz0123456789'] + SUFFIXES:
        if t not in vocab:
            vocab.append(t)
    return {t: i for i, t in enumerate(vocab)}


def tokenizer_json(vocab):
    cls, sep = vocab['[CLS]'], vocab['[SEP]']
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [
            {'id': vocab[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True}
            for t in SPECIAL
        ],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True, 'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}],
            'pair': [
                {'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 0}},
                {'Sequence': {'id': 'B', 'type_id': 1}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 1}},
            ],
            'special_tokens': {
                '[CLS]': {'id': '[CLS]', 'ids': [cls], 'tokens': ['[CLS]']},
                '[SEP]': {'id': '[SEP]', 'ids': [sep], 'tokens': ['[SEP]']},
            },
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##', 'max_input_chars_per_word': 100, 'vocab': vocab},
    }


class Layer(nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.ff1, self.ff2 = nn.Linear(h, inter), nn.Linear(inter, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)

    def forward(self, x, mask_bias):
        b, n, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, n, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + mask_bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(b, n, h)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.ff2(nn.functional.gelu(self.ff1(x))))


class TinyBert(nn.Module):
    def __init__(self, vocab_size, h, layers, heads, inter, max_pos, labels):
        super().__init__()
        self.word = nn.Embedding(vocab_size, h)
        self.pos = nn.Embedding(max_pos, h)
        self.token_type = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(Layer(h, heads, inter) for _ in range(layers))
        self.pool = nn.Linear(h, h)
        self.cls = nn.Linear(h, labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        n = input_ids.shape[1]
        positions = torch.arange(n, dtype=torch.long).unsqueeze(0)
        x = self.ln(self.word(input_ids) + self.pos(positions) + self.token_type(token_type_ids))
        mask_bias = (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        return self.cls(torch.tanh(self.pool(x[:, 0])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--labels', default='entailment,neutral,contradiction')
    args = ap.parse_args()
    labels = args.labels.split(',')
    torch.manual_seed(16)
    vocab = build_vocab()
    h, layers, heads, inter, max_pos = 32, 2, 2, 64, 128
    model = TinyBert(len(vocab), h, layers, heads, inter, max_pos, len(labels)).eval()
    os.makedirs(os.path.join(args.out, 'onnx'), exist_ok=True)
    config = {
        'architectures': ['BertForSequenceClassification'], 'model_type': 'bert', 'vocab_size': len(vocab), 'hidden_size': h,
        'num_hidden_layers': layers, 'num_attention_heads': heads, 'intermediate_size': inter, 'hidden_act': 'gelu',
        'max_position_embeddings': max_pos, 'type_vocab_size': 2, 'layer_norm_eps': 1e-12, 'pad_token_id': 0,
        'id2label': {str(i): l for i, l in enumerate(labels)}, 'label2id': {l: i for i, l in enumerate(labels)},
    }
    with open(os.path.join(args.out, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(args.out, 'tokenizer.json'), 'w') as f:
        json.dump(tokenizer_json(vocab), f)
    with open(os.path.join(args.out, 'tokenizer_config.json'), 'w') as f:
        json.dump({'tokenizer_class': 'BertTokenizer', 'do_lower_case': True, 'model_max_length': max_pos,
                   'cls_token': '[CLS]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'unk_token': '[UNK]', 'mask_token': '[MASK]'}, f, indent=2)
    ids = torch.tensor([[2, 10, 11, 3, 12, 3]], dtype=torch.long)
    torch.onnx.export(
        model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), os.path.join(args.out, 'onnx', 'model.onnx'),
        input_names=['input_ids', 'attention_mask', 'token_type_ids'], output_names=['logits'],
        dynamic_axes={'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
                      'token_type_ids': {0: 'batch', 1: 'sequence'}, 'logits': {0: 'batch'}},
        opset_version=14, do_constant_folding=True,
    )


if __name__ == '__main__':
    main()
