# pad_packed_sequence undoes packing; total_length gives back the original padded width.
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

padded = torch.arange(1, 13, dtype=torch.float32).reshape(
    2, 6
)  # (N=2, L=6), batch-first
lengths = [3, 2]  # both sequences are shorter than the padded width 6
packed = pack_padded_sequence(padded, lengths, batch_first=True)

unpacked, unpacked_lengths = pad_packed_sequence(packed, batch_first=True)
print("unpacked", tuple(unpacked.shape), "-- only max(lengths) = 3 steps wide")
print(unpacked)
print("lengths:", unpacked_lengths, unpacked_lengths.dtype, unpacked_lengths.device)

same_width, _ = pad_packed_sequence(
    packed, batch_first=True, total_length=padded.size(1)
)
print("with total_length=6:", tuple(same_width.shape))
print(same_width)
