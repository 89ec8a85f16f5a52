class LSTMCell(Module):
  __parameters__ = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", ]
  __buffers__ = []
  weight_ih : Tensor
  weight_hh : Tensor
  bias_ih : Tensor
  bias_hh : Tensor
  training : bool
  _is_full_backward_hook : NoneType
  hidden_size : Final[int] = 16
  input_size : Final[int] = 10
  bias : Final[bool] = True
  def forward(self: __torch__.torch.nn.modules.rnn.___torch_mangle_30.LSTMCell,
    input: Tensor,
    hx: Optional[Tuple[Tensor, Tensor]]=None) -> Tuple[Tensor, Tensor]:
    _0 = "LSTMCell: Expected input to be 1-D or 2-D but received {}-D tensor"
    _1 = torch.dim(input)
    if torch.__contains__([1, 2], _1):
      pass
    else:
      _2 = torch.format(_0, torch.dim(input))
      ops.prim.RaiseException(torch.add("AssertionError: ", _2))
    is_batched = torch.eq(torch.dim(input), 2)
    if torch.__not__(is_batched):
      input0 = torch.unsqueeze(input, 0)
    else:
      input0 = input
    if torch.__is__(hx, None):
      _3 = torch.size(input0, 0)
      _4 = ops.prim.dtype(input0)
      _5 = ops.prim.device(input0)
      zeros = torch.zeros([_3, 16], dtype=_4, layout=None, device=_5)
      hx0 = (zeros, zeros)
    else:
      hx1 = unchecked_cast(Tuple[Tensor, Tensor], hx)
      if torch.__not__(is_batched):
        _6 = (torch.unsqueeze((hx1)[0], 0), torch.unsqueeze((hx1)[1], 0))
        hx2 = _6
      else:
        hx2 = hx1
      hx0 = hx2
    weight_ih = self.weight_ih
    weight_hh = self.weight_hh
    bias_ih = self.bias_ih
    bias_hh = self.bias_hh
    _7, _8, = hx0
    _9, _10 = torch.lstm_cell(input0, [_7, _8], weight_ih, weight_hh, bias_ih, bias_hh)
    ret = (_9, _10)
    if torch.__not__(is_batched):
      ret1 = (torch.squeeze(_9, 0), torch.squeeze(_10, 0))
      ret0 = ret1
    else:
      ret0 = ret
    return ret0
