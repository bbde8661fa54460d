//===- Link.h - external tools: C compiler, linker, archiver ----*- C++ -*-===//
#ifndef NN_CODEGEN_LINK_H
#define NN_CODEGEN_LINK_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace nn::codegen {

/// A temporary directory removed on destruction unless kept (--save-temps).
class TempDir {
public:
  static llvm::Expected<TempDir> create(bool keep);
  TempDir(TempDir &&other) : dir(std::move(other.dir)), keep(other.keep) { other.dir.clear(); }
  ~TempDir();
  const std::string &path() const { return dir; }
  std::string file(llvm::StringRef name) const;

private:
  TempDir(std::string dir, bool keep) : dir(std::move(dir)), keep(keep) {}
  std::string dir;
  bool keep;
};

/// Where the runtime lives: $NNC_RUNTIME_DIR (with include/ and the archives in it or
/// in lib/); else, for an installed nnc, the prefix above its executable (bin/../include
/// and bin/../lib); else the build tree's paths, configured at build time.
struct RuntimePaths {
  std::string includeDir;
  std::string libDir;
};
llvm::Expected<RuntimePaths> findRuntime();

/// cc -O2 -c `source` -o `object` -I<runtime include>.
llvm::Error compileC(llvm::StringRef source, llvm::StringRef object,
                     const RuntimePaths &rt, const TempDir &tmp);

/// c++ -o `output` objects libnnrt_main.a libnnrt.a -lpthread -ldl -lm -lz.
llvm::Error linkExecutable(llvm::ArrayRef<std::string> objects, llvm::StringRef output,
                           const RuntimePaths &rt, const TempDir &tmp);

/// c++ -shared -o `output` objects --whole-archive libnnrt.a -lpthread -ldl -lm -lz, with
/// a version script that exports what the script names (the C API and the model).
llvm::Error linkShared(llvm::ArrayRef<std::string> objects, llvm::StringRef output,
                       llvm::StringRef versionScript, const RuntimePaths &rt,
                       const TempDir &tmp);

/// ld -r -o `output` objects: one relocatable object.
llvm::Error linkRelocatable(llvm::ArrayRef<std::string> objects, llvm::StringRef output,
                            const TempDir &tmp);

/// ar rcs `output` objects (an existing archive is replaced).
llvm::Error archive(llvm::ArrayRef<std::string> objects, llvm::StringRef output,
                    const TempDir &tmp);

} // namespace nn::codegen

#endif // NN_CODEGEN_LINK_H
