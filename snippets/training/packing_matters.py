# Packing makes a sequence's prediction independent of the batch it is padded into.
import torch

from rnn_ref.data import collate
from rnn_ref.model import SumModClassifier

torch.manual_seed(0)
model = SumModClassifier(
    num_digits=10, num_classes=10, cell="gru", hidden_size=16
).eval()
short, long = [3, 7], [1, 9, 4, 4, 2, 8]
# short gets 4 padding steps
ids, lengths, _ = collate([short, long], pad_id=model.pad_id)

with torch.no_grad():
    alone = model(*collate([short], pad_id=model.pad_id)[:2])[0]  # (C,)
    in_batch = model(ids, lengths)[0]  # packed: padding never read
    x = model.embed(ids)  # (N, L, E), no packing
    _, h_n = model.rnn(x)  # runs every sequence L steps
    unpacked = model.head(h_n[-1])[0]

print("logits alone      :", alone[:4].numpy().round(4))
print("packed, in a batch:", in_batch[:4].numpy().round(4))
print("padded, not packed:", unpacked[:4].numpy().round(4))
print(
    "packed == alone:",
    torch.allclose(alone, in_batch, atol=1e-6),
    "| unpacked == alone:",
    torch.allclose(alone, unpacked, atol=1e-6),
)
