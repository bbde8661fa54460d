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
config.substitutions.append(("%examples", os.path.join(config.nnc_src_root, "examples")))
config.substitutions.append(("%refs", os.path.join(config.nnc_src_root, "test", "e2e", "refs")))
config.substitutions.append(("%fashion", "/usr/share/datasets/fashion-mnist"))
config.substitutions.append(("%nnrt_include", os.path.join(config.nnc_src_root, "runtime", "include")))
config.substitutions.append(("%nnrt_libdir", os.path.join(config.nnc_obj_root, "runtime")))

tool_dirs = [config.nnc_tools_dir, config.llvm_tools_dir]
# `pre` keeps `--emit=nn-opt` from being taken for the nn-opt tool.
tools = ["nnc", "nn-opt", "nn-gradcheck", "nnrt-selftest", "FileCheck", "not", "count"]
llvm_config.add_tool_substitutions(
    [ToolSubst(t, unresolved="fatal", pre=r".-^/\<=") for t in tools], tool_dirs)
config.environment["PATH"] = os.pathsep.join(tool_dirs + [config.environment["PATH"]])

if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")
