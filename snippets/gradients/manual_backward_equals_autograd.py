# BPTT by hand equals autograd: a 2-layer bidirectional LSTM, in float64.
import torch

from rnn_ref.bptt import manual_backward

torch.manual_seed(0)
lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, dtype=torch.float64)
x = torch.randn(6, 2, 3, dtype=torch.float64, requires_grad=True)  # (L, N, H_in)
out, (h_n, c_n) = lstm(x)
# some loss's gradients with respect to everything the module returns
g_out, g_h, g_c = torch.randn_like(out), torch.randn_like(h_n), torch.randn_like(c_n)

names = [name for name, _ in lstm.named_parameters()]
auto = torch.autograd.grad([out, h_n, c_n], [x, *lstm.parameters()], [g_out, g_h, g_c])
mine = manual_backward(lstm, x.detach(), None, g_out, (g_h, g_c))

errors = {
    name: (mine[name] - a).abs().max().item()
    for name, a in zip(["input", *names], auto, strict=True)
}
print(f"{len(names)} parameters, e.g. {names[-1]}")
for name in ("input", "weight_hh_l0", "bias_ih_l1_reverse"):
    print(f"{name:20} max |manual - autograd| = {errors[name]:.1e}")
print(f"over all {len(errors)} gradients: {max(errors.values()):.1e}")
