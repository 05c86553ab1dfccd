# A bidirectional sentence summary is cat(h_n[-2], h_n[-1]), not output[-1].
import torch
from torch import nn

torch.manual_seed(0)
L, N, H_in, H = 6, 1, 3, 4
rnn = nn.RNN(H_in, H, bidirectional=True)
x = torch.randn(L, N, H_in)  # (L, N, H_in)
changed = x.clone()
changed[:-1] = torch.randn(L - 1, N, H_in)  # a different sentence, same last step


def summaries(x):
    output, h_n = rnn(x)  # (L, N, 2*H), (2, N, H)
    return output[-1], torch.cat([h_n[-2], h_n[-1]], dim=-1)  # both (N, 2*H)


(last_a, summary_a), (last_b, summary_b) = summaries(x), summaries(changed)
print(
    "output[-1] forward half changed: ",
    not torch.allclose(last_a[:, :H], last_b[:, :H]),
)
print(
    "output[-1] backward half changed:",
    not torch.allclose(last_a[:, H:], last_b[:, H:]),
)
print("cat(h_n[-2], h_n[-1]) changed:   ", not torch.allclose(summary_a, summary_b))

# The backward half of output[-1] is one cell step from h_0 = 0 on x[-1] alone.
w = {k: v for k, v in rnn.state_dict().items() if k.endswith("_reverse")}
one_step = torch.tanh(
    x[-1] @ w["weight_ih_l0_reverse"].T
    + w["bias_ih_l0_reverse"]
    + w["bias_hh_l0_reverse"]
)
print(
    "backward half of output[-1] == one step on x[-1]:",
    torch.allclose(last_a[:, H:], one_step),
)
