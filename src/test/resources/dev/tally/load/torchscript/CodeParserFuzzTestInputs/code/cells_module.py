class Cells(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  lstm : __torch__.torch.nn.modules.rnn.___torch_mangle_30.LSTMCell
  gru : __torch__.torch.nn.modules.rnn.___torch_mangle_31.GRUCell
  rnn : __torch__.torch.nn.modules.rnn.___torch_mangle_32.RNNCell
  head : __torch__.torch.nn.modules.linear.___torch_mangle_27.Linear
  def forward(self: __torch__.___torch_mangle_33.Cells,
    x: Tensor) -> Tensor:
    h = torch.zeros([torch.size(x, 1), 16])
    c = torch.zeros([torch.size(x, 1), 16])
    g = torch.zeros([torch.size(x, 1), 16])
    r = torch.zeros([torch.size(x, 1), 16])
    r0 = r
    c0 = c
    g0 = g
    h0 = h
    for step in range(3):
      lstm = self.lstm
      _0 = (lstm).forward(torch.select(x, 0, step), (h0, c0), )
      h1, c1, = _0
      gru = self.gru
      g1 = (gru).forward(h1, g0, )
      rnn = self.rnn
      r0, c0, g0, h0 = (rnn).forward(g1, r0, ), c1, g1, h1
    head = self.head
    return (head).forward(r0, )
