# Encoder-decoder (seq2seq): read a source sequence,
# then emit a target of another length.
import torch
from torch import nn

torch.manual_seed(0)
N, S, T, vocab, E, H = 2, 7, 4, 15, 8, 16  # S source steps, T target steps


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(vocab, E)
        self.encoder = nn.GRU(E, H, batch_first=True)
        self.decoder = nn.GRU(E, H, batch_first=True)
        self.head = nn.Linear(H, vocab)

    def forward(self, source, target_in):  # source (N, S), target_in (N, T) ids
        _, h_n = self.encoder(self.embed(source))  # h_n (1, N, H): the whole source
        # the decoder starts from it: output (N, T, H)
        output, _ = self.decoder(self.embed(target_in), h_n)
        # (N, T, vocab): next-token scores at every target step
        return self.head(output)


source = torch.randint(vocab, (N, S))
# in training: the target shifted right (teacher forcing)
target_in = torch.randint(vocab, (N, T))
logits = Seq2Seq()(source, target_in)
print("source", tuple(source.shape), "= (N, S)")
print("target", tuple(target_in.shape), "= (N, T)")
print("logits", tuple(logits.shape), "= (N, T, vocab): S and T are independent")
