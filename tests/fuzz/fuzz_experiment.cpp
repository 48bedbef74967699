// libFuzzer target: the experiment YAML loader and everything `carbonedge validate` runs after it
// (platform, carbon, workload and policy construction). The input is the experiment file; beside it
// lie a valid platform.yaml and carbon trace z.csv that the input may refer to. Bad input must end
// in ce::InputError (the CLI's one-line error, exit 2); any other exception or a crash is a finding.
#include <cstdint>

#include "cli/prepared.hpp"
#include "core/error.hpp"
#include "fuzz_input_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool ready = [] {
    cefuzz::write_file("platform.yaml",
                       "name: p\nhosts:\n  - {name: h, cores: 2, speed: 1Gf, power: \"10:20:30\", region: Z}\n"
                       "  - {name: g, cores: 1, speed: 2Gf, power: \"5:9\", region: Z, memory: 1GB}\n"
                       "links:\n  - {name: lh, bandwidth: 1Gbps, latency: 1ms}\n  - {name: lg, bandwidth: 1Gbps, latency: 1ms}\n"
                       "network: {gateway: gw, attach: {h: lh, g: lg}}\n");
    cefuzz::write_file("z.csv", "timestamp,value\n0,100\n3600,200\n7200,150\n");
    // An accelerator platform (corpus accelerators.yaml): a batching device with two power modes.
    cefuzz::write_file("toy.yaml", "name: toy\nsource: fuzz\nsharing: exclusive\nmemory: 1GB\n"
                                   "modes: [{name: hi, idle: 5}, {name: lo, idle: 3}]\n"
                                   "models:\n  tiny:\n    switch: 2ms\n    activations: 10MB\n"
                                   "    hi: {batch: [1, 4], latency: [10ms, 16ms], power: [15, 25]}\n"
                                   "    lo: {batch: [1, 4], latency: [20ms, 32ms], power: [9, 13]}\n");
    cefuzz::write_file("platform_accel.yaml",
                       "name: pa\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:20\", region: Z}\n"
                       "  - {name: a, accelerator: toy.yaml, mode: lo, region: Z,\n"
                       "     batching: {max_batch: 4, preferred_batch: [2], max_queue_delay: 1ms}}\n"
                       "links:\n  - {name: lh, bandwidth: 1Gbps, latency: 1ms}\n  - {name: la, bandwidth: 1Gbps, latency: 1ms}\n"
                       "network: {gateway: gw, attach: {h: lh, a: la}}\n");
    // An LLM engine platform (corpus llm.yaml): a device with an llm: section, language models.
    cefuzz::write_file("toyllm.yaml", "name: toyllm\nsource: fuzz\nmemory: 4GB\nmodes: [{name: hi, idle: 5}]\n"
                                      "llm:\n  hi: {bandwidth: {fp16: 1GBps, int8: 1GBps, int4: 2GBps}, flops: 1Tf,\n"
                                      "       overhead: 1ms, prefill_power: 25, decode_power: 15}\n");
    cefuzz::write_file("platform_llm.yaml",
                       "name: pl\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:20\", region: Z}\n"
                       "  - {name: n, accelerator: toyllm.yaml, region: Z, llm: {max_batch: 8, chunk: 64}}\n"
                       "links:\n  - {name: lh, bandwidth: 1Gbps, latency: 1ms}\n  - {name: ln, bandwidth: 1Gbps, latency: 1ms}\n"
                       "network: {gateway: gw, attach: {h: lh, n: ln}}\n");
    return true;
  }();
  (void)ready;
  const std::string path = cefuzz::write_file("exp.yaml", data, size);
  ce::LoadOptions opt;
  opt.data_root = cefuzz::scratch_dir();
  try {
    auto p = ce::prepare(path, opt);
  } catch (const ce::InputError&) {
  }
  return 0;
}
