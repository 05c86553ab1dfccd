# The loop in YOUR torch's nn.RNN docstring, cut out of nn.RNN.__doc__ and run
# as it stands: forward, then backward as training would.
import re
import textwrap

import torch
from torch import nn

doc = nn.RNN.__doc__
code = textwrap.dedent(doc.split(".. code-block:: python")[1].split("Args:")[0])
prose = re.search(r":math:`h_\{\(t-1\)\}` is[^.]*\.", doc)
print("the docstring says:", " ".join(prose[0].split()) if prose else "(gone)")
print("feeds layer k > 0 the layer below:", "h_t[layer - 1]" in code)

torch.manual_seed(0)
for input_size, hidden_size, num_layers in [(4, 4, 1), (4, 4, 2), (3, 6, 3)]:
    namespace = {
        "torch": torch,
        "nn": nn,
        "input_size": input_size,
        "hidden_size": hidden_size,
        "num_layers": num_layers,
    }
    exec(code, namespace)  # defines namespace["rnn"] and namespace["forward"]
    rnn = namespace["rnn"]
    x = torch.randn(5, 2, input_size)  # (L, N, H_in)
    out, h_n = rnn(x)
    doc_out, doc_h_n = namespace["forward"](x)
    print(
        f"RNN({input_size}, {hidden_size}, num_layers={num_layers}): "
        f"max |output diff| = {(out - doc_out).abs().max():.1e}, "
        f"max |h_n diff| = {(h_n - doc_h_n).abs().max():.1e}",
        end="; backward: ",
    )
    try:
        (doc_out.sum() + doc_h_n.sum()).backward()
        print("ok")
    except RuntimeError as e:
        print("RuntimeError:", str(e).split(":")[0])
