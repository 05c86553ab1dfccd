# The error message suggests retain_graph=True. In a training loop that only moves
# the failure: the old graph saved the weights, and optimizer.step() changed them.
import torch
from torch import nn

torch.manual_seed(0)
rnn, head = nn.GRU(4, 8, batch_first=True), nn.Linear(8, 1)
optimizer = torch.optim.SGD([*rnn.parameters(), *head.parameters()], lr=0.1)
stream = torch.randn(2, 30, 4)  # (N, T, H_in)
k = 10

hx = None
for j, start in enumerate(range(0, 30, k), 1):
    output, hx = rnn(stream[:, start : start + k], hx)
    loss = head(output).pow(2).mean()
    optimizer.zero_grad()
    try:
        loss.backward(retain_graph=True)
    except RuntimeError as e:
        print(f"chunk {j}: RuntimeError: {str(e).splitlines()[0][:200]}")
        break
    optimizer.step()
    print(f"chunk {j}: loss {loss.item():.4f}, backward ok")
