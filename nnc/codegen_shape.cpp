// The code of the operators that move data: PAD, and RESHAPE (a view, no code).
#include "nnc/codegen_emit.h"

#include "nnc/c_writer.h"

namespace mcusim::nnc::gen {

// ---- PAD -------------------------------------------------------------------------

Expected<void> emit_pad(Context &ctx, const Operator &op) {
  if (op.inputs.size() < 2 || op.inputs[1] < 0) return tl::unexpected(refusal(op, "has no paddings input"));
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &pads = ctx.tensor(op.inputs[1]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (!ck.arena("input", in) || !ck.type("output", out, in.type) || !ck.batch1("input", in) ||
      !ck.batch1("output", out) || !ck.type("paddings", pads, DType::Int32))
    return ck.result();
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) return tl::unexpected(refusal(op, "has a constant_values input"));
  if (!pads.constant || pads.shape.size() != 2 || pads.shape[1] != 2 ||
      pads.shape[0] != static_cast<int32_t>(in.shape.size()))
    return tl::unexpected(refusal(op, "paddings " + tensor_label(pads) + " are not a constant [rank, 2]"));
  const auto p = c::as_int32(pads.data);
  // Extend to 4 dimensions from the front, as TFLite does; the batch is not padded.
  std::array<int32_t, 8> p4{};
  const size_t lead = 4 - in.shape.size();
  for (size_t i = 0; i < p.size(); ++i)
    p4[2 * lead + i] = p[i];
  for (int32_t v : p4)
    if (v < 0) return tl::unexpected(refusal(op, "paddings " + tensor_label(pads) + " has a negative value"));
  if (p4[0] || p4[1]) return tl::unexpected(refusal(op, "pads the batch dimension"));
  const auto is = *hwc(in), os = *hwc(out);
  for (int d = 0; d < 3; ++d)
    if (is[static_cast<size_t>(d)] + p4[static_cast<size_t>(2 + 2 * d)] + p4[static_cast<size_t>(3 + 2 * d)] !=
        os[static_cast<size_t>(d)])
      return tl::unexpected(refusal(op, "output " + tensor_label(out) + " does not match the padded input"));
  const std::string before = shape_literal({p4[2], p4[4], p4[6]});
  if (in.type == DType::Int8) {
    if (!ck.per_tensor("input", in) || !ck.per_tensor("output", out) || !ck.same_quant(in, out)) return ck.result();
    ctx.code += "  nn_pad_s8(" + shape_literal(is) + ", " + ctx.arena_ptr(in.id, "int8_t", true) + ", " + before +
                ", " + shape_literal(os) + ", " + out_ptr(ctx, op) + ", " + num(zp_of(out)) + ");\n";
    return {};
  }
  if (!ck.type("input", in, DType::Float32)) return ck.result();
  ctx.code += "  nn_pad_f32(" + shape_literal(is) + ", " + ctx.arena_ptr(in.id, "float", true) + ", " + before + ", " +
              shape_literal(os) + ", " + out_ptr(ctx, op) + ", 0.0f);\n";
  return {};
}

// ---- RESHAPE: a view, no code ------------------------------------------------------

Expected<void> emit_reshape(Context &ctx, const Operator &op) {
  const Tensor &in = ctx.tensor(op.inputs[0]);
  const Tensor &out = ctx.tensor(op.outputs[0]);
  Checker ck{op, {}};
  if (!ck.arena("input", in) || !ck.type("output", out, in.type)) return ck.result();
  if (in.elements() != out.elements()) return tl::unexpected(refusal(op, "input and output sizes differ"));
  if (in.type == DType::Int8 && !ck.same_quant(in, out)) return ck.result();
  const TensorPlacement *pi = ctx.plan.find(in.id), *po = ctx.plan.find(out.id);
  if (!pi || !po || pi->offset != po->offset)
    return tl::unexpected(refusal(op, "output " + tensor_label(out) + " is not planned as a view of its input"));
  return {};
}

} // namespace mcusim::nnc::gen
