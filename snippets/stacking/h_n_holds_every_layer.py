# h_n is the last time step of EVERY layer; output is the top layer at every time step.
import torch
from torch import nn

torch.manual_seed(0)
rnn = nn.RNN(input_size=10, hidden_size=20, num_layers=2)
x = torch.randn(5, 3, 10)  # (L=5, N=3, H_in=10): each input vector has 10 features
output, h_n = rnn(x)
print("output", tuple(output.shape), "= (L, N, H_out)")
print("h_n   ", tuple(h_n.shape), "= (num_layers, N, H_out)")

# Layer 0 alone: a one-layer RNN with the same first-layer weights.
layer0 = nn.RNN(10, 20, num_layers=1)
layer0.load_state_dict({k: v for k, v in rnn.state_dict().items() if k.endswith("_l0")})
out0, _ = layer0(x)
checks = {
    "h_n[0] == last step of layer 0": torch.allclose(h_n[0], out0[-1]),
    "h_n[1] == last step of layer 1": torch.allclose(h_n[1], output[-1]),
    "h_n[0] == output[-1]": torch.allclose(h_n[0], output[-1]),
}
for name, result in checks.items():
    print(f"{name + ':':32} {result}")
