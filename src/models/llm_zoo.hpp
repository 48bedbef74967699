#pragma once
// The zoo's language models: every architecture of llm_architectures() at three weight precisions
// (fp16, int8, int4), named <arch>, <arch>-int8, <arch>-int4, in families by vendor (llama-3.2,
// llama-3.1, qwen2.5, phi-3, gemma-2, tinyllama) so model selection trades size × precision against quality.
// Quality (ModelProfile::top1) is the published MMLU (5-shot, percent) of the fp16 model and of a
// quantized one where its authors or a named third party published it; otherwise a documented
// ratio (docs/models.md "Language models").
#include <vector>

#include "models/model_profile.hpp"

namespace ce {

std::vector<ModelProfile> build_llm_zoo();

}  // namespace ce
