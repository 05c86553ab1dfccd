# nonlinearity="relu" replaces tanh; bias=False removes both bias vectors.
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(6, 2, 3)  # (L, N, H_in)

for nonlinearity in ("tanh", "relu"):
    rnn = nn.RNN(3, 4, nonlinearity=nonlinearity)
    output, _ = rnn(x)  # (L, N, H_out)
    print(f"{nonlinearity}: output in [{output.min():.3f}, {output.max():.3f}]")

for bias in (True, False):
    rnn = nn.RNN(3, 4, bias=bias)
    print(f"bias={bias!s:5}: {[name for name, _ in rnn.named_parameters()]}")

# With bias=False and h_0 = 0, a zero input stays exactly zero:
# nothing shifts the origin.
rnn = nn.RNN(3, 4, bias=False)
output, _ = rnn(torch.zeros(6, 2, 3))
print("bias=False, zero input -> all outputs zero:", bool((output == 0).all()))
