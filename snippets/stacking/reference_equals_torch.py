# Our loop (rnn_ref.reference_forward) against nn.RNN, in float64.
import torch
from torch import nn

from rnn_ref import reference_forward

torch.manual_seed(0)
for num_layers in (1, 2, 3):
    rnn = nn.RNN(
        input_size=4, hidden_size=6, num_layers=num_layers, dtype=torch.float64
    )
    x = torch.randn(7, 2, 4, dtype=torch.float64)  # (L, N, H_in)
    out, h_n = rnn(x)
    ref_out, ref_h_n = reference_forward(rnn, x)
    print(
        f"num_layers={num_layers}: "
        f"max |output diff| = {(out - ref_out).abs().max():.1e}, "
        f"max |h_n diff| = {(h_n - ref_h_n).abs().max():.1e}"
    )
