# The fix: detach the carried state after each chunk. Same values, no old graph.
import torch
from torch import nn

torch.manual_seed(0)
rnn, head = nn.GRU(4, 8, batch_first=True), nn.Linear(8, 1)
optimizer = torch.optim.SGD([*rnn.parameters(), *head.parameters()], lr=0.1)
stream = torch.randn(2, 30, 4)  # (N, T, H_in): 2 streams of 30 steps
k = 10  # steps per chunk

hx = None
for j, start in enumerate(range(0, 30, k), 1):
    output, hx = rnn(stream[:, start : start + k], hx)  # starts from the last chunk
    loss = head(output).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()  # through this chunk's 10 steps only
    optimizer.step()
    hx = hx.detach()  # for an LSTM: hx = tuple(h.detach() for h in hx)
    print(f"chunk {j}: loss {loss.item():.4f}, backward ok, hx.grad_fn={hx.grad_fn}")
