# Many-to-many, aligned: one output per input step (e.g. tag every token).
import torch
from torch import nn

torch.manual_seed(0)
N, L, vocab, E, H, tags = 2, 6, 20, 8, 16, 5


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(vocab, E)
        self.rnn = nn.RNN(
            E, H, batch_first=True, bidirectional=True
        )  # each tag sees both sides
        self.head = nn.Linear(2 * H, tags)

    def forward(self, tokens):  # tokens (N, L) integer ids
        output, _ = self.rnn(self.embed(tokens))  # (N, L, E) -> (N, L, 2*H)
        return self.head(output)  # the same Linear at every step -> (N, L, tags)


model = Tagger()
tokens = torch.randint(vocab, (N, L))
logits = model(tokens)
print("tokens", tuple(tokens.shape), "= (N, L)")
print("logits", tuple(logits.shape), "= (N, L, tags): one prediction per step")
print("tags of sequence 0:", logits[0].argmax(-1).tolist())
