# pad_sequence stacks sequences of different lengths into one tensor.
import torch
from torch.nn.utils.rnn import pad_sequence

a = torch.tensor([1, 2, 3])
b = torch.tensor([4, 5])
c = torch.tensor([6])

print("default: time-major (L, N), padding on the right")
print(pad_sequence([a, b, c]))
print("batch_first=True: (N, L)")
print(pad_sequence([a, b, c], batch_first=True))
print("padding_side='left', padding_value=-1")
print(pad_sequence([a, b, c], batch_first=True, padding_side="left", padding_value=-1))
