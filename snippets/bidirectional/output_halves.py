# output[..., :H] is a forward RNN; output[..., H:] is a second RNN
# run on the reversed sequence.
import torch
from torch import nn

torch.manual_seed(0)
L, N, H_in, H = 5, 2, 3, 4
bi = nn.RNN(H_in, H, bidirectional=True, dtype=torch.float64)
x = torch.randn(L, N, H_in, dtype=torch.float64)  # (L, N, H_in)
output, h_n = bi(x)  # output (L, N, 2*H), h_n (2, N, H)

# Two one-directional RNNs holding the forward and the *_reverse weights.
fwd = nn.RNN(H_in, H, dtype=torch.float64)
bwd = nn.RNN(H_in, H, dtype=torch.float64)
state = bi.state_dict()
fwd.load_state_dict({k: v for k, v in state.items() if not k.endswith("_reverse")})
bwd.load_state_dict(
    {k.removesuffix("_reverse"): v for k, v in state.items() if k.endswith("_reverse")}
)

fwd_out, _ = fwd(x)  # (L, N, H)
bwd_out, _ = bwd(x.flip(0))  # read x from the last step to the first
bwd_out = bwd_out.flip(0)  # and put each state back at the step it belongs to
print("output shape", tuple(output.shape), "= (L, N, 2*H)")
print(
    f"{'output[..., :H] == forward RNN:':53}", torch.allclose(output[..., :H], fwd_out)
)
print(
    f"{'output[..., H:] == reverse RNN on x.flip(0), flipped:':53}",
    torch.allclose(output[..., H:], bwd_out),
)
print("output[0, 0] =", [round(v, 4) for v in output[0, 0].tolist()])
