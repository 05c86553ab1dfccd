# dropout= acts on the outputs of every layer except the last:
# between layers, never on `output`.
import warnings

import torch
from torch import nn

from rnn_ref import reference_forward

torch.manual_seed(0)
x = torch.randn(6, 3, 4)  # (L, N, H_in)
for num_layers in (1, 2):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rnn = nn.RNN(4, 8, num_layers=num_layers, dropout=0.5)
    for w in caught:
        print("UserWarning:", w.message)
    eval_out, _ = rnn.eval()(x)
    train_out, _ = rnn.train()(x)  # (L, N, H_out)
    print(
        f"num_layers={num_layers}: "
        f"train == eval: {torch.allclose(train_out, eval_out)}; "
        f"exact zeros in output: {(train_out == 0).sum().item()} of {train_out.numel()}"
    )

# Same seed, same masks: our loop drops out layer 0's output before layer 1 reads it.
torch.manual_seed(1)
theirs, _ = rnn(x)
torch.manual_seed(1)
ours, _ = reference_forward(rnn, x)
print(
    "reference_forward in train mode, same seed: max |diff| =",
    f"{(ours - theirs).abs().max().item():.1e}",
)
