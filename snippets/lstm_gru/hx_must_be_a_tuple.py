# An LSTM's hx is a pair (h_0, c_0). Pass one tensor and torch fails somewhere
# inside; rnn_ref.reference_forward says what it expected.
import torch
from torch import nn

from rnn_ref import reference_forward

torch.manual_seed(0)
x = torch.randn(5, 2, 3)  # (L, N, H_in)
for num_layers in (1, 2):
    lstm = nn.LSTM(3, 4, num_layers=num_layers)
    h_0 = torch.zeros(num_layers, 2, 4)  # (num_layers, N, H): h_0 alone, no c_0
    print(f"num_layers={num_layers}")
    for name, run in (("  torch:  ", lstm), ("  rnn_ref:", reference_forward)):
        try:
            run(x, h_0) if run is lstm else run(lstm, x, h_0)
        except Exception as e:  # torch's type varies with the shapes
            print(name, f"{type(e).__name__}: {e}")
print("fix: lstm(x, (h_0, c_0)), e.g. c_0 = torch.zeros_like(h_0)")
