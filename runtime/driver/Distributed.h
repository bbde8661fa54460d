//===- Distributed.h - the process group of a data-parallel `train` -------===//
//
// `train` under mpirun: the ranks of MPI_COMM_WORLD, and the one collective that
// data-parallel training needs (a sum of floats, the same on every rank). Only this
// file's implementation (Distributed.cpp) includes mpi.h, and only when the runtime is
// built with MPI (NNRT_HAVE_MPI); without it a run under mpirun is an error, and a
// plain run is one process as always. libnnrt itself knows nothing of MPI.
//
//===----------------------------------------------------------------------===//
#ifndef NNRT_DRIVER_DISTRIBUTED_H
#define NNRT_DRIVER_DISTRIBUTED_H

#include <cstddef>
#include <memory>

namespace nnrt {
namespace driver {

/// The ranks of a run. Single process unless `start` found a launcher with more than one
/// process; then MPI is initialized until `finish`.
class ProcessGroup {
public:
  ProcessGroup();
  ProcessGroup(const ProcessGroup &) = delete;
  ProcessGroup &operator=(const ProcessGroup &) = delete;
  /// Finalizes MPI when `finish` was not called (as `finish(0)`).
  ~ProcessGroup();

  /// Joins the launcher's process group when the environment names one (Open MPI's
  /// OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK) or `force`. `timeoutSeconds` bounds
  /// every wait for the other ranks. Prints the error and returns false when MPI is
  /// needed but unavailable or fails to start.
  bool start(bool force, double timeoutSeconds);
  int rank() const { return Rank; }
  int size() const { return Size; }
  /// More than one rank: the training loop splits batches and sums gradients.
  bool parallel() const { return Size > 1; }


  /// Begins summing data[0 .. n) over the ranks, in place, and leaves it in flight, so
  /// that several buffers (buckets of gradients) travel while the process computes;
  /// every rank must begin the same sums in the same order, and every rank gets the same
  /// bits (two ranks add a + b; more: rank 0 sums, then broadcasts). `data` must stay
  /// untouched until `finishSums`. False after an error (printed).
  bool startSum(float *data, size_t n);
  /// Advances the sums in flight (MPI progresses a nonblocking collective only inside
  /// MPI calls); never waits. False after an error (printed).
  bool progress();
  /// Waits for every sum in flight. Prints `error: rank R: ...` and returns false when a
  /// rank died, a connection broke, this process was asked to stop while waiting, or
  /// the others did not answer within the timeout.
  bool finishSums();

  /// Ends the group with the run's exit status: 0 and 130 (interrupted, the ranks agreed
  /// on the step) finalize; any other status aborts every rank (MPI_Abort), so a rank
  /// that failed alone does not leave the others waiting.
  void finish(int status);

  /// A launcher environment variable that says this process is one of several ("" if
  /// none), for messages.
  static const char *launcher();

private:
  /// Waits for the requests in flight (the checks of `finishSums`).
  bool waitAll();
  struct Sums; ///< the sums in flight (Distributed.cpp)
  std::unique_ptr<Sums> InFlight;
  int Rank = 0, Size = 1;
  bool Started = false;
  double Timeout = 600;
};

/// Set by train's SIGINT/SIGTERM handler (Train.cpp): a wait for the other ranks gives
/// up when it is set, since mpirun sends SIGTERM to the survivors when a rank dies.
bool trainInterrupted();

} // namespace driver
} // namespace nnrt

#endif // NNRT_DRIVER_DISTRIBUTED_H
