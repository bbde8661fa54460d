//===- MemoryPlan.cpp - liveness-based sharing of temporaries -------------===//
//
// Interval coloring of the TEMP slots of one entry (see MemoryPlan.h).
//
//===----------------------------------------------------------------------------===//
#include "codegen/MemoryPlan.h"

#include <algorithm>
#include <numeric>

using namespace nn::codegen;

/// The non-alias slot whose bytes `s` uses (aliases may chain; cycles stop the walk).
static int rootOf(const std::vector<MemorySlot> &slots, int s) {
  for (size_t hops = 0; slots[s].kind == MemorySlot::Alias && hops <= slots.size(); ++hops) {
    int next = slots[s].aliasOf;
    if (next < 0 || next >= (int)slots.size())
      break;
    s = next;
  }
  return s;
}

MemoryPlan nn::codegen::planMemory(const std::vector<MemorySlot> &slots,
                                   const std::vector<std::vector<int>> &stepArgs,
                                   const std::vector<int> &liveAtEnd) {
  MemoryPlan plan;
  int n = (int)slots.size();
  plan.bufferOf.assign(n, -1);
  plan.interval.assign(n, {-1, -1});

  // Live intervals of the roots, inclusive at both ends.
  auto touch = [&](int slot, int step) {
    int r = rootOf(slots, slot);
    if (slots[r].kind != MemorySlot::Temp)
      return;
    auto &iv = plan.interval[r];
    if (iv.first < 0)
      iv.first = step;
    iv.second = std::max(iv.second, step);
  };
  int numSteps = (int)stepArgs.size();
  for (int i = 0; i < numSteps; ++i)
    for (int s : stepArgs[i])
      touch(s, i);
  for (int s : liveAtEnd)
    touch(s, numSteps);

  // Temps in order of definition (ties: slot order). A temp no step touches still gets
  // its own (never shared) buffer so that the runtime can place it.
  std::vector<int> temps;
  for (int s = 0; s < n; ++s)
    if (slots[s].kind == MemorySlot::Temp)
      temps.push_back(s);
  plan.numTemps = (int)temps.size();
  std::stable_sort(temps.begin(), temps.end(), [&](int a, int b) {
    return plan.interval[a].first < plan.interval[b].first;
  });

  std::vector<int64_t> size; // per buffer: largest slot so far (at the plan's batch)
  std::vector<int> end;      // per buffer: last step any of its slots is live
  for (int s : temps) {
    auto [first, last] = plan.interval[s];
    int64_t bytes = alignArena(slots[s].bytesAtBatch);
    plan.unplannedBytes += bytes;
    int best = -1;
    bool own = slots[s].fixedSize && bytes <= kOwnBufferBytes;
    if (first >= 0 && !own) {
      for (int b = 0; b < (int)size.size(); ++b) {
        if (end[b] >= first) // still live at (or after) this slot's definition
          continue;
        if (best < 0) {
          best = b;
          continue;
        }
        int64_t grow = std::max<int64_t>(0, bytes - size[b]);
        int64_t growBest = std::max<int64_t>(0, bytes - size[best]);
        if (grow < growBest || (grow == growBest && grow == 0 && size[b] < size[best]))
          best = b;
      }
    }
    if (best < 0) {
      best = (int)size.size();
      size.push_back(0);
      // An untouched temp, or one with a buffer of its own, is never reused: mark it
      // live forever.
      end.push_back(first >= 0 && !own ? last : numSteps + 1);
    }
    size[best] = std::max(size[best], bytes);
    if (first >= 0)
      end[best] = std::max(end[best], last);
    plan.bufferOf[s] = best;
  }
  plan.numBuffers = (int)size.size();
  plan.arenaBytes = std::accumulate(size.begin(), size.end(), int64_t(0));
  return plan;
}
