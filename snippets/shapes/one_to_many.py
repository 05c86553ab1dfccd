# One-to-many: one input vector, a generated sequence
# (e.g. an image feature -> a caption).
import torch
from torch import nn

torch.manual_seed(0)
N, F, vocab, E, H, steps = 2, 10, 12, 6, 16, 5  # F: features of the single input


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.init_h = nn.Linear(F, H)  # the input becomes the initial hidden state
        self.embed = nn.Embedding(vocab, E)
        self.rnn = nn.RNN(E, H, batch_first=True)
        self.head = nn.Linear(H, vocab)

    @torch.no_grad()
    def generate(self, features, steps, start=0):  # features (N, F)
        h = torch.tanh(self.init_h(features)).unsqueeze(0)  # (num_layers=1, N, H)
        token = torch.full((features.size(0), 1), start)  # (N, 1): a start token
        out = []
        for _ in range(steps):  # one step at a time: each output becomes the next input
            output, h = self.rnn(self.embed(token), h)  # (N, 1, H), h carried over
            token = self.head(output).argmax(-1)  # greedy choice, (N, 1)
            out.append(token)
        return torch.cat(out, dim=1)  # (N, steps)


features = torch.randn(N, F)
tokens = Generator().generate(features, steps)
print("input ", tuple(features.shape), "= (N, F): one vector per example")
print("output", tuple(tokens.shape), "= (N, steps): a sequence per example")
print("generated:", tokens.tolist())
