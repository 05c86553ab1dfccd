# What the graph behind each chunk's loss holds, with and without detach (forward and
# backward only; retain_graph=True so that the undetached run gets past chunk 2).
import torch
from torch import nn

from rnn_ref.experiments.tbptt import graph_stats

torch.manual_seed(0)
rnn, head = nn.GRU(4, 8, batch_first=True), nn.Linear(8, 1)
stream = torch.randn(2, 60, 4)  # (N, T, H_in)
k = 10

for detach in (True, False):
    hx = None
    print(f"detach={detach}")
    for j, start in enumerate(range(0, 60, k), 1):
        output, hx = rnn(stream[:, start : start + k], hx)
        loss = head(output).pow(2).mean()
        stats = graph_stats(loss)  # autograd nodes, bytes of saved tensors
        loss.backward(retain_graph=not detach)
        hx = hx.detach() if detach else hx
        print(f"  chunk {j}: {stats['nodes']:5} nodes, {stats['saved_bytes']:7} bytes")
