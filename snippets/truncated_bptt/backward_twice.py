# Carry the state from chunk to chunk WITHOUT detaching it: the second backward fails.
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
    try:
        loss.backward()
    except RuntimeError as e:
        print(f"chunk {j}: RuntimeError: {e}")
        break
    optimizer.step()
    print(f"chunk {j}: loss {loss.item():.4f}, backward ok")
