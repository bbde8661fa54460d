//===- Distributed.cpp - MPI for a data-parallel `train` ------------------===//
//
// The process group of `train` under mpirun (Distributed.h). With NNRT_HAVE_MPI the
// ranks are MPI_COMM_WORLD's; every wait for the other ranks is a nonblocking
// collective polled with MPI_Test, so that it can give up: when this process is asked to
// stop (mpirun sends SIGTERM to the survivors of a dead rank), when MPI reports an error
// (MPI_ERRORS_RETURN), or after the timeout. Without MPI, only the single-process path
// exists and a launcher's environment is an error.
//
//===----------------------------------------------------------------------===//
#include "Distributed.h"
#include "Driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sched.h>
#include <vector>

#ifdef NNRT_HAVE_MPI
// The C API only: Open MPI's and MPICH's deprecated C++ bindings would need their
// C++ library too.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

using namespace nnrt::driver;

const char *ProcessGroup::launcher() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name))
      return name;
  return "";
}

#ifndef NNRT_HAVE_MPI

struct ProcessGroup::Sums {};
ProcessGroup::ProcessGroup() = default;
ProcessGroup::~ProcessGroup() = default;

bool ProcessGroup::start(bool force, double timeoutSeconds) {
  Timeout = timeoutSeconds;
  const char *env = launcher();
  // One process of a launched group of one is a plain run.
  const char *size = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (!size)
    size = std::getenv("PMI_SIZE");
  if (!force && (!*env || (size && std::atoi(size) == 1)))
    return true;
  error("%s: this runtime was built without MPI, so `train` cannot run on several "
        "processes (rebuild nnc with libopenmpi-dev installed, then recompile the model)",
        force ? "--distributed" : (std::string(env) + " is set").c_str());
  return false;
}

bool ProcessGroup::startSum(float *, size_t) { return true; }
bool ProcessGroup::progress() { return true; }
bool ProcessGroup::waitAll() { return true; }
bool ProcessGroup::finishSums() { return true; }
void ProcessGroup::finish(int) { Started = false; }

#else

namespace {

/// MPI's message for `code`.
std::string mpiError(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
    return "MPI error " + std::to_string(code);
  return std::string(text, size_t(len));
}

} // namespace

/// One sum in flight: with two ranks an all-reduce; with more, rank 0's reduction (its
/// broadcast follows in finishSums, so every rank gets the bits rank 0 summed).
struct Pending {
  float *Data;
  int Count;
  MPI_Request Request = MPI_REQUEST_NULL; ///< MPI_REQUEST_NULL once done
};

struct ProcessGroup::Sums {
  std::vector<Pending> Queue;
  /// When the oldest sum in flight began: --timeout counts from there.
  std::chrono::steady_clock::time_point Since;
};

ProcessGroup::ProcessGroup() : InFlight(std::make_unique<Sums>()) {}

ProcessGroup::~ProcessGroup() {
  if (Started)
    finish(0);
}

bool ProcessGroup::start(bool force, double timeoutSeconds) {
  Timeout = timeoutSeconds;
  if (!force && !*launcher())
    return true;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) {
    error("MPI_Init failed");
    return false;
  }
  Started = true;
  // Errors come back as codes (default: abort with MPI's banner), so the message can
  // say which rank saw what.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &Rank);
  MPI_Comm_size(MPI_COMM_WORLD, &Size);
  return true;
}

bool ProcessGroup::startSum(float *data, size_t n) {
  if (Size <= 1)
    return true;
  std::vector<Pending> &queue = InFlight->Queue;
  if (queue.empty())
    InFlight->Since = std::chrono::steady_clock::now();
  Pending p{data, int(n)};
  // Two ranks: an all-reduce, where each element is a + b on whichever rank adds it, the
  // same bits either way (IEEE addition commutes); half the time of a reduction and a
  // broadcast (bench/mpi-scaling.sh's W1 gradients: 0.6 against 1.4 ms).
  int rc = Size == 2 ? MPI_Iallreduce(MPI_IN_PLACE, data, p.Count, MPI_FLOAT, MPI_SUM,
                                      MPI_COMM_WORLD, &p.Request)
                     : MPI_Ireduce(Rank == 0 ? MPI_IN_PLACE : data, Rank == 0 ? data : nullptr,
                                   p.Count, MPI_FLOAT, MPI_SUM, 0, MPI_COMM_WORLD, &p.Request);
  if (rc != MPI_SUCCESS)
    return error("rank %d: the %s of the gradients failed: %s", Rank,
                 Size == 2 ? "all-reduce" : "reduction", mpiError(rc).c_str()) == 0;
  queue.push_back(p);
  return true;
}

bool ProcessGroup::progress() {
  for (Pending &p : InFlight->Queue) {
    if (p.Request == MPI_REQUEST_NULL)
      continue;
    int done = 0;
    if (int rc = MPI_Test(&p.Request, &done, MPI_STATUS_IGNORE); rc != MPI_SUCCESS)
      return error("rank %d: the sum of the gradients failed: %s", Rank,
                   mpiError(rc).c_str()) == 0;
    if (done)
      p.Request = MPI_REQUEST_NULL; // MPI_Test sets it too
  }
  return true;
}

bool ProcessGroup::waitAll() {
  std::vector<Pending> &queue = InFlight->Queue;
  for (;;) {
    if (!progress())
      return false;
    if (std::all_of(queue.begin(), queue.end(),
                    [](const Pending &p) { return p.Request == MPI_REQUEST_NULL; }))
      return true;
    if (trainInterrupted())
      return error("rank %d: stopped by a signal while waiting for the other ranks (mpirun "
                   "stops every rank when one dies or is interrupted)", Rank) == 0;
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                  InFlight->Since).count();
    if (waited > Timeout)
      return error("rank %d: the other ranks did not answer within %g s (--timeout): a rank "
                   "died, hangs, or a connection broke", Rank, Timeout) == 0;
    sched_yield();
  }
}

bool ProcessGroup::finishSums() {
  std::vector<Pending> &queue = InFlight->Queue;
  bool ok = waitAll();
  // More ranks: the broadcasts of rank 0's sums, started only now and in the order of
  // the reductions, so that every rank starts its collectives in one order (a broadcast
  // started as soon as its reduction completes would come at another place on rank 0
  // than on the others: undefined in MPI, a crash in Open MPI's shared-memory transport).
  if (ok && Size > 2) {
    for (Pending &p : queue)
      if (int rc = MPI_Ibcast(p.Data, p.Count, MPI_FLOAT, 0, MPI_COMM_WORLD, &p.Request);
          rc != MPI_SUCCESS) {
        ok = error("rank %d: the broadcast of the gradients failed: %s", Rank,
                   mpiError(rc).c_str()) == 0;
        break;
      }
    ok = ok && waitAll();
  }
  queue.clear();
  return ok;
}

void ProcessGroup::finish(int status) {
  if (!Started)
    return;
  Started = false;
  std::fflush(stdout);
  std::fflush(stderr);
  if (status != 0 && status != 130 && Size > 1)
    MPI_Abort(MPI_COMM_WORLD, status);
  MPI_Finalize();
}

#endif
