# The shapes nn.RNN takes and returns, named with the site's legend.
import torch
from torch import nn

torch.manual_seed(0)
L, N, H_in, H_out, num_layers = 7, 2, 3, 5, 2
for bidirectional in (False, True):
    D = 2 if bidirectional else 1  # directions
    rnn = nn.RNN(H_in, H_out, num_layers=num_layers, bidirectional=bidirectional)
    output, h_n = rnn(torch.randn(L, N, H_in))  # input (L, N, H_in)
    print(
        f"D={D}: output {tuple(output.shape)} = (L, N, D*H_out);"
        f" h_n {tuple(h_n.shape)} = (D*num_layers, N, H_out)"
    )

rnn = nn.RNN(H_in, H_out, num_layers=num_layers, batch_first=True)
output, h_n = rnn(torch.randn(N, L, H_in))  # batch_first: input (N, L, H_in)
print(
    f"batch_first: output {tuple(output.shape)} = (N, L, H_out);"
    f" h_n {tuple(h_n.shape)} (h_n is never batch-first)"
)
output, h_n = rnn(torch.randn(L, H_in))  # unbatched: input (L, H_in)
print(f"unbatched:   output {tuple(output.shape)} = (L, H_out); h_n {tuple(h_n.shape)}")
