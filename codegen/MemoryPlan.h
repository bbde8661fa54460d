//===- MemoryPlan.h - liveness-based sharing of temporaries -----*- C++ -*-===//
//
// Decides which TEMP slots of an entry share memory. Lifetimes are static (the step
// order is fixed) but byte sizes depend on the model's symbols (the batch `B`), so the
// compiler assigns every TEMP slot to a *buffer* and the runtime sizes each buffer at
// bind time as the largest of its slots (nnrt/model.h, ABI v2). Two slots share a
// buffer only when their live intervals are disjoint.
//
// Plain data in, plain data out: no MLIR, so the rule is easy to test and to read.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_CODEGEN_MEMORYPLAN_H
#define NN_CODEGEN_MEMORYPLAN_H

#include <cstdint>
#include <vector>

namespace nn::codegen {

/// What the planner needs of one slot.
struct MemorySlot {
  enum Kind { Other, Temp, Alias };
  Kind kind = Other;
  int aliasOf = -1;         ///< for Alias: the slot whose bytes it views
  int64_t bytesAtBatch = 0; ///< byte size with every symbol bound to the plan's batch
  bool fixedSize = false;   ///< no symbolic dim: bytesAtBatch at every batch
};

/// The result for one entry.
struct MemoryPlan {
  std::vector<int> bufferOf; ///< per slot: its buffer (TEMP slots), else -1
  int numTemps = 0;
  int numBuffers = 0;
  int64_t arenaBytes = 0;     ///< sum over buffers of the 64-aligned largest slot
  int64_t unplannedBytes = 0; ///< sum over TEMP slots of their 64-aligned size
  /// Per TEMP slot: [first step, last step] (inclusive), -1/-1 if no step touches it.
  std::vector<std::pair<int, int>> interval;
};

/// Plans one entry. `stepArgs[i]` are the slots step i passes to its kernel (inputs and
/// outputs); `liveAtEnd` are slots read after the last step (parameter updates).
///
/// A TEMP slot lives from the first step that touches it (the step writing it: slots
/// are SSA values) to the last step that touches it or any alias of it, both ends
/// inclusive, so every argument of one step is live at that step and no kernel ever
/// reads and writes the same buffer. Slots are taken in order of definition; each
/// reuses a buffer whose slots all died before it is defined, choosing the one that
/// grows least (at `bytesAtBatch`), then the smallest that fits, then the lowest id;
/// with none free it opens a new buffer. A slot of a fixed size up to kOwnBufferBytes
/// (a bias's gradient) has a buffer of its own, which nothing else takes: shared, its
/// buffer is one that a neighbouring step has just read, and the two steps cannot run
/// side by side (docs/design.md, "Steps side by side").
constexpr int64_t kOwnBufferBytes = 4096;

MemoryPlan planMemory(const std::vector<MemorySlot> &slots,
                      const std::vector<std::vector<int>> &stepArgs,
                      const std::vector<int> &liveAtEnd);

/// The runtime's rounding of a buffer (nnrt's kAlign).
inline int64_t alignArena(int64_t n) { return (n + 63) / 64 * 64; }

} // namespace nn::codegen

#endif // NN_CODEGEN_MEMORYPLAN_H
