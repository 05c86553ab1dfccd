# A one-layer nn.RNN is nn.RNNCell applied once per step:
# output[t] is the hidden state h_t.
import torch
from torch import nn

torch.manual_seed(0)
L, N, H_in, H_out = 4, 2, 3, 5
rnn = nn.RNN(H_in, H_out, dtype=torch.float64)
cell = nn.RNNCell(H_in, H_out, dtype=torch.float64)
cell.load_state_dict({k.removesuffix("_l0"): v for k, v in rnn.state_dict().items()})

x = torch.randn(L, N, H_in, dtype=torch.float64)  # (L, N, H_in)
output, h_n = rnn(x)  # output (L, N, H_out), h_n (1, N, H_out)

h = torch.zeros(N, H_out, dtype=torch.float64)  # h_0: zeros, as when hx is omitted
for t in range(L):
    h = cell(x[t], h)  # the new state from this step's input and the previous state
    print(
        f"output[{t}] == h after step {t}: {torch.allclose(output[t], h)};"
        f"  output[{t}, 0, :3] = {[round(v, 4) for v in output[t, 0, :3].tolist()]}"
    )
print("h_n[0] == output[-1]:", torch.equal(h_n[0], output[-1]))
