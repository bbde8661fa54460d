# lit configuration for the nnc test suite.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "nnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".nn", ".mlir", ".test"]
config.excludes = ["Inputs", "refs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%nnc_src", config.nnc_src_root))
config.substitutions.append(("%nnc_obj", config.nnc_obj_root))
config.substitutions.append(("%examples", os.path.join(config.nnc_src_root, "examples")))
config.substitutions.append(("%refs", os.path.join(config.nnc_src_root, "test", "e2e", "refs")))
config.substitutions.append(("%fashion", "/usr/share/datasets/fashion-mnist"))
config.substitutions.append(("%nnrt_include", os.path.join(config.nnc_src_root, "runtime", "include")))
config.substitutions.append(("%nnrt_libdir", os.path.join(config.nnc_obj_root, config.nnc_libdir)))

tool_dirs = [config.nnc_tools_dir, config.llvm_tools_dir]
# `pre` keeps `--emit=nn-opt` from being taken for the nn-opt tool.
tools = ["nnc", "nn-opt", "nn-gradcheck", "nnrt-selftest", "FileCheck", "not", "count",
         "split-file"]
llvm_config.add_tool_substitutions(
    [ToolSubst(t, unresolved="fatal", pre=r".-^/\<=") for t in tools], tool_dirs)
config.environment["PATH"] = os.pathsep.join(tool_dirs + [config.environment["PATH"]])

# A sanitized build (scripts/test.sh's build-asan/): the links nnc runs use the same
# sanitizers (test/CMakeLists.txt's wrappers), leaks are errors, and every report goes to
# a file under <build>/sanitizer-reports, which scripts/test.sh counts as failures, so a
# report from a command a test expects to fail (`not nnc ...`) is not lost.
if config.nnc_sanitize:
    for s in config.nnc_sanitize.split(","):
        config.available_features.add({"address": "asan", "undefined": "ubsan"}.get(s, s))
    config.environment["PATH"] = os.pathsep.join(
        [os.path.join(config.nnc_obj_root, "test", "sanitizer-bin"), config.environment["PATH"]])
    reports = os.path.join(config.nnc_obj_root, "sanitizer-reports")
    os.makedirs(reports, exist_ok=True)
    config.environment["ASAN_OPTIONS"] = ":".join([
        "detect_leaks=1", "log_path=" + os.path.join(reports, "asan"), "log_exe_name=1"])
    config.environment["UBSAN_OPTIONS"] = ":".join([
        "halt_on_error=1", "print_stacktrace=1", "log_path=" + os.path.join(reports, "ubsan"),
        "log_exe_name=1"])

if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
config.substitutions.append(("%ptxas-all", os.path.join(config.nnc_src_root, "test", "cuda", "Inputs",
                                                        "ptxas-all.sh")))
# A CUDA driver can be loaded (a GPU machine): binaries built with --target=host-cuda run.
import ctypes
for lib in ("libcuda.so.1", "libcuda.so"):
    try:
        ctypes.CDLL(lib)
        config.available_features.add("cuda-driver")
        break
    except OSError:
        pass
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")
if os.path.isfile("/usr/share/games/fortunes/computers"):
    config.available_features.add("fortunes")

# Data-parallel training (REQUIRES: mpi): the runtime was built with MPI and Open MPI's
# mpirun is on PATH. %mpirun starts ranks on this machine only (shared memory and
# loopback TCP), more ranks than cores allowed, as root too (containers).
mpirun = shutil.which("mpirun")
if config.nnrt_have_mpi in ("ON", "TRUE", "1") and mpirun:
    config.available_features.add("mpi")
    flags = ["--oversubscribe", "--mca", "btl", "self,vader,tcp",
             "--mca", "btl_tcp_if_include", "lo"]
    if os.geteuid() == 0:
        flags.append("--allow-run-as-root")
        config.environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        config.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    launcher = [mpirun]
    if config.nnc_sanitize:
        # Open MPI leaks its own allocations at MPI_Finalize (in components it has
        # already unloaded, so no suppression can name them): under mpirun, ranks keep
        # every ASan check but the leak check. The same binaries' single-process runs in
        # these tests still check leaks.
        options = config.environment["ASAN_OPTIONS"].replace("detect_leaks=1", "detect_leaks=0")
        launcher = ["env", "ASAN_OPTIONS=" + options, mpirun]
    config.substitutions.append(("%mpirun", " ".join(launcher + flags)))
