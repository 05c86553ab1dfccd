# Many-to-one: read a whole sequence, emit one prediction (e.g. classify a sentence).
import torch
from torch import nn

torch.manual_seed(0)
N, L, H_in, H, C = 3, 7, 5, 16, 4  # batch, steps, features, hidden size, classes


class ManyToOne(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(H_in, H, num_layers=2, batch_first=True)
        self.head = nn.Linear(H, C)

    def forward(self, x):  # x (N, L, H_in)
        output, h_n = self.rnn(x)  # output (N, L, H), h_n (num_layers, N, H)
        return self.head(h_n[-1])  # the top layer after the last step -> (N, C)


model = ManyToOne()
x = torch.randn(N, L, H_in)
logits = model(x)
print("input ", tuple(x.shape), "= (N, L, H_in)")
print("logits", tuple(logits.shape), "= (N, C): one prediction per sequence")
print("prediction:", logits.argmax(-1).tolist())
