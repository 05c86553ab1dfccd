import re

import torch

from rnn_ref.data import collate
from rnn_ref.model import SumModClassifier, padded_logits

torch.manual_seed(0)
model = SumModClassifier(cell="gru", hidden_size=16)
ids, lengths, _ = collate([[3, 1, 4], [1, 5, 9, 2, 6], [5]], pad_id=10)


def explain(forward, allow_rnn=False):
    torch._dynamo.reset()
    with torch._dynamo.config.patch(allow_rnn=allow_rnn):
        e = torch._dynamo.explain(forward)(ids, lengths)
    ops = [[getattr(op, "__name__", str(op)) for op in g] for g in e.ops_per_graph]
    # the first line of each reason, and the function dynamo would not trace
    reasons = [
        str(r.reason).splitlines()[0]
        + ": "
        + re.findall(r"function `(\w+)`", r.reason)[0]
        for r in e.break_reasons
    ]
    return f"{e.graph_count} graph(s) {ops}\n    breaks: {reasons}"


def padded(i, n):
    return padded_logits(model, i, n)


print("packed:", explain(model))
print("padded:", explain(padded))
print("padded, allow_rnn:", explain(padded, allow_rnn=True))
