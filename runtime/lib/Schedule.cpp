//===- Schedule.cpp - learning-rate schedules -----------------------------===//
//
// The rate of step k of a run of K planned steps, the first N of which warm up. The
// driver feeds it to the train entry's `lr` input before every step; embedders that
// write their own loop call it to train with the schedule the .nn file declares.
//
//===----------------------------------------------------------------------===//
#include "nnrt/model.h"
#include "nnrt/nnrt.h"

#include <algorithm>
#include <cmath>
#include <cstring>

extern "C" float nnrt_schedule_lr(int32_t schedule, float lr, int64_t step,
                                  int64_t total_steps, int64_t warmup_steps) {
  if (total_steps <= 0)
    return lr;
  step = std::clamp<int64_t>(step, 0, total_steps - 1);
  // Warm-up (Karpathy's build-nanogpt get_lr): step k < N runs at lr (k+1)/N, so the
  // first step learns and the last warm-up step is at the peak.
  int64_t warmup = std::clamp<int64_t>(warmup_steps, 0, total_steps);
  if (step < warmup)
    return float(double(lr) * double(step + 1) / double(warmup));
  // The schedule runs over the steps after the warm-up: its position is measured from
  // the warm-up's end, so it starts at the peak.
  double t = double(step - warmup) / double(total_steps - warmup);
  switch (schedule) {
  case NNRT_SCHEDULE_LINEAR:
    return float(double(lr) * (1.0 - t));
  case NNRT_SCHEDULE_COSINE:
    return float(double(lr) * 0.5 * (1.0 + std::cos(M_PI * t)));
  default:
    return lr;
  }
}

extern "C" const char *nnrt_schedule_name(int32_t schedule) {
  switch (schedule) {
  case NNRT_SCHEDULE_CONSTANT:
    return "constant";
  case NNRT_SCHEDULE_LINEAR:
    return "linear";
  case NNRT_SCHEDULE_COSINE:
    return "cosine";
  default:
    return nullptr;
  }
}

extern "C" int32_t nnrt_schedule_from_name(const char *name) {
  for (int32_t s = 0; name && nnrt_schedule_name(s); ++s)
    if (!std::strcmp(nnrt_schedule_name(s), name))
      return s;
  return -1;
}
