//===- flags.cpp - fuzzes the compiled-model driver's flag parser -----------===//
//
// The input is a command line, arguments separated by NUL bytes. It goes to the flag
// parser (Flags::parse and its typed getters, with a table holding every kind of flag)
// and, when it cannot start work (`info`, `--help`, `<command> --help ...`), to nnrt_main
// on the selftest model: those paths parse flags but never read a dataset or write a file.
// Run with -close_fd_mask=3: the driver prints usage and errors.
//
//===----------------------------------------------------------------------===//
#include "driver/Driver.h"
#include "tools/SelftestModel.h"

#include <cstring>
#include <string>
#include <vector>

using namespace nnrt::driver;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<std::string> args;
  std::string cur;
  for (size_t i = 0; i < size && args.size() < 64; ++i) {
    if (data[i] == 0) {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += char(data[i]);
    }
  }
  if (args.size() < 64)
    args.push_back(cur);
  std::vector<char *> argv;
  static char prog[] = "model";
  argv.push_back(prog);
  for (std::string &a : args)
    argv.push_back(&a[0]);
  int argc = int(argv.size());
  argv.push_back(nullptr);

  static const std::vector<FlagSpec> specs = {
      {"batch", true, "an integer"}, {"lr", true, "a number"},
      {"input", true, "repeated"},   {"print", false, "a switch"},
      {"help", false, "help"}};
  Flags flags;
  int status = flags.parse(prog, "cmd", "[flags]", specs, argc - 1, argv.data() + 1);
  if (status == -1) {
    long long i;
    double d;
    flags.getInt("batch", 1, 1, 1 << 24, i);
    flags.getFloat("lr", 0.1, d);
    (void)flags.getAll("input");
    (void)flags.get("print");
  }
  // Commands other than info start work once their flags parse. With `--help` as their
  // first flag (it cannot be the value of an earlier one), they return after parsing the
  // rest: usage, or the first bad flag.
  bool safe = argc > 1 && (std::strcmp(argv[1], "info") == 0 ||
                           std::strcmp(argv[1], "--help") == 0 ||
                           (argc > 2 && std::strcmp(argv[2], "--help") == 0));
  if (safe)
    nnrt_main(&SelftestModel, argc, argv.data());
  return 0;
}
