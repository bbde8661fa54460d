//===- Autoschedule.cpp - kernels scheduled by Halide's autoschedulers ----===//
//
// `--autoschedule=adams2019|mullapudi2016|li2018`: instead of nnc's templates, each
// kernel is scheduled by a Halide 14 autoscheduler plugin. The plugins need estimates
// of every input and output extent; dynamic dims (the batch) are estimated at
// kAutoscheduleBatchEstimate. Part of NNCodegenHalide: may throw Halide::Error.
//
//===----------------------------------------------------------------------------===//
#include "codegen/Config.h"
#include "codegen/HalideInternal.h"
#include <fcntl.h>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

using namespace nn::codegen;

namespace {

/// Halide's name of the plugin and the shared object that registers it.
std::pair<const char *, const char *> plugin(const std::string &name) {
  if (name == "adams2019")
    return {"Adams2019", NNC_AUTOSCHEDULE_ADAMS2019};
  if (name == "mullapudi2016")
    return {"Mullapudi2016", NNC_AUTOSCHEDULE_MULLAPUDI2016};
  return {"Li2018", NNC_AUTOSCHEDULE_LI2018};
}

/// Loads each plugin once per process.
void loadPlugin(const char *path) {
  static std::mutex lock;
  static std::set<std::string> loaded;
  std::lock_guard<std::mutex> guard(lock);
  if (loaded.insert(path).second)
    Halide::load_plugin(path);
}

/// nn shape (row-major, -1 dynamic) -> Halide estimates (innermost first).
Halide::Region estimates(const std::vector<int64_t> &shape) {
  Halide::Region region;
  for (auto it = shape.rbegin(); it != shape.rend(); ++it)
    region.push_back({0, int(*it >= 0 ? *it : kAutoscheduleBatchEstimate)});
  return region;
}

/// Silences stderr while alive: Adams2019 prints its search progress unconditionally.
class QuietStderr {
public:
  QuietStderr() : saved(dup(2)) {
    int null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0)
      dup2(null, 2);
    if (null >= 0)
      close(null);
  }
  ~QuietStderr() {
    if (saved >= 0) {
      dup2(saved, 2);
      close(saved);
    }
  }

private:
  int saved;
};

} // namespace

void nn::codegen::autoscheduleKernel(LoweredKernel &k, const TargetInfo &target,
                                     const Halide::Target &halideTarget) {
  auto [name, path] = plugin(target.autoscheduler);
  loadPlugin(path);
  for (Halide::ImageParam &p : k.inputs) {
    std::vector<int64_t> shape(p.dimensions(), -1);
    // Static extents were set as constraints by the lowering; reuse them.
    for (int d = 0; d < p.dimensions(); ++d)
      if (const int64_t *extent = Halide::Internal::as_const_int(p.dim(d).extent()))
        shape[p.dimensions() - 1 - d] = *extent;
    p.set_estimates(estimates(shape));
  }
  for (FuncInfo &out : k.outputs)
    out.func.set_estimates(estimates(out.shape));
  int cores = std::max(1u, std::thread::hardware_concurrency());
  // Last-level cache and the cost of a load relative to arithmetic: Halide's generic
  // values (MachineParams::generic()) with this machine's core count.
  Halide::MachineParams params(cores, 16 * 1024 * 1024, 40);
  QuietStderr quiet;
  k.pipeline().auto_schedule(name, halideTarget, params);
}
