/// \file
/// The text `mcusim-nnc --plan` prints: tensors with their arena placement,
/// operators with their MACs, and the totals (docs/tinyml.md shows one).
#pragma once

#include <string>

#include "nnc/model.h"
#include "nnc/plan.h"

namespace mcusim::nnc {

std::string plan_report(const std::string &model_name, const Model &model, const ArenaPlan &plan);

} // namespace mcusim::nnc
