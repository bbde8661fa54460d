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

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sched.h>

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

bool ProcessGroup::sum(float *, size_t) { return true; }
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

bool ProcessGroup::sum(float *data, size_t n) {
  if (Size <= 1)
    return true;
  auto start = std::chrono::steady_clock::now();
  // Waits for `request` (which may be MPI_REQUEST_NULL) with the checks of the file
  // comment; `what` names the collective in messages.
  auto wait = [&](MPI_Request &request, const char *what) {
    for (;;) {
      int done = 0;
      if (int rc = MPI_Test(&request, &done, MPI_STATUS_IGNORE); rc != MPI_SUCCESS) {
        error("rank %d: %s of the gradients failed: %s", Rank, what, mpiError(rc).c_str());
        return false;
      }
      if (done)
        return true;
      if (trainInterrupted()) {
        error("rank %d: stopped by a signal while waiting for the other ranks (mpirun "
              "stops every rank when one dies or is interrupted)", Rank);
        return false;
      }
      double waited =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (waited > Timeout) {
        error("rank %d: the other ranks did not answer within %g s (--timeout): a rank "
              "died, hangs, or a connection broke", Rank, Timeout);
        return false;
      }
      sched_yield();
    }
  };
  int count = int(n);
  MPI_Request request = MPI_REQUEST_NULL;
  // Two ranks: an all-reduce, where each element is a + b on whichever rank adds it, the
  // same bits either way (IEEE addition commutes); half the time of the two steps below
  // (bench/mpi-scaling.sh's W1 gradients: 0.6 against 1.4 ms).
  if (Size == 2) {
    int rc = MPI_Iallreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                            &request);
    if (rc != MPI_SUCCESS)
      return error("rank %d: the all-reduce of the gradients failed: %s", Rank,
                   mpiError(rc).c_str()) == 0;
    return wait(request, "the all-reduce");
  }
  // More ranks: rank 0 sums and broadcasts, so every rank applies bit-identical
  // gradients (an all-reduce may associate the sum differently on different ranks).
  int rc = MPI_Ireduce(Rank == 0 ? MPI_IN_PLACE : data, Rank == 0 ? data : nullptr, count,
                       MPI_FLOAT, MPI_SUM, 0, MPI_COMM_WORLD, &request);
  if (rc != MPI_SUCCESS)
    return error("rank %d: the reduction of the gradients failed: %s", Rank,
                 mpiError(rc).c_str()) == 0;
  if (!wait(request, "the reduction"))
    return false;
  rc = MPI_Ibcast(data, count, MPI_FLOAT, 0, MPI_COMM_WORLD, &request);
  if (rc != MPI_SUCCESS)
    return error("rank %d: the broadcast of the gradients failed: %s", Rank,
                 mpiError(rc).c_str()) == 0;
  return wait(request, "the broadcast");
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
