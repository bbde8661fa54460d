//===- Files.cpp - whole-file reads, gunzip, atomic writes ----------------===//
//
// The file helpers the readers and writers share: a malloc-backed byte array whose
// growth fails softly, whole-file reads with a size cap, in-memory gunzip, and atomic
// writes (temporary, fsync, rename) that refuse to replace anything but a regular file
// and clear away the temporaries of writers that died mid-save.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace nnrt;

ByteArray::~ByteArray() { std::free(Data); }

bool ByteArray::append(const void *bytes, size_t n) {
  if (n == 0)
    return true;
  if (n > SIZE_MAX - Size)
    return false;
  size_t need = Size + n;
  if (need > Capacity) {
    size_t cap = Capacity ? Capacity : 4096;
    while (cap < need)
      cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    void *p = std::realloc(Data, cap);
    if (!p)
      return false;
    Data = static_cast<uint8_t *>(p);
    Capacity = cap;
  }
  std::memcpy(Data + Size, bytes, n);
  Size = need;
  return true;
}

void ByteArray::swap(ByteArray &o) {
  std::swap(Data, o.Data);
  std::swap(Size, o.Size);
  std::swap(Capacity, o.Capacity);
}

nnrt_status nnrt::readFile(const std::string &path, ByteArray &out, size_t maxBytes,
                           std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = format("cannot open '%s': %s", path.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  out.clear();
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) {
    if (n > maxBytes - out.size()) {
      std::fclose(f);
      error = format("'%s' is larger than %zu bytes", path.c_str(), maxBytes);
      return NNRT_ERR_FORMAT;
    }
    if (!out.append(chunk, n)) {
      std::fclose(f);
      error = format("cannot allocate memory to read '%s' (%zu bytes read)", path.c_str(),
                     out.size());
      return NNRT_ERR_OOM;
    }
  }
  bool bad = std::ferror(f);
  int saved = errno;
  std::fclose(f);
  if (bad) {
    error = format("cannot read '%s': %s", path.c_str(), std::strerror(saved));
    return NNRT_ERR_IO;
  }
  return NNRT_OK;
}

nnrt_status nnrt::gunzipInPlace(const std::string &name, ByteArray &bytes, size_t maxBytes,
                                std::string &error) {
  if (bytes.size() < 2 || bytes.data()[0] != 0x1f || bytes.data()[1] != 0x8b)
    return NNRT_OK;
  if (bytes.size() > UINT32_MAX) {
    error = format("'%s': compressed data larger than 4 GiB", name.c_str());
    return NNRT_ERR_FORMAT;
  }
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) { // 16: gzip wrapper only
    error = format("cannot decompress '%s': zlib failed to start", name.c_str());
    return NNRT_ERR_OOM;
  }
  struct Ender {
    z_stream *Z;
    ~Ender() { inflateEnd(Z); }
  } ender{&zs};
  zs.next_in = const_cast<Bytef *>(bytes.data());
  zs.avail_in = uInt(bytes.size());
  ByteArray out;
  uint8_t chunk[1 << 16];
  for (;;) {
    zs.next_out = chunk;
    zs.avail_out = sizeof(chunk);
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(chunk) - zs.avail_out;
    if (produced > maxBytes - out.size()) {
      error = format("'%s' decompresses to more than %zu bytes", name.c_str(), maxBytes);
      return NNRT_ERR_FORMAT;
    }
    if (!out.append(chunk, produced)) {
      error = format("cannot allocate memory to decompress '%s' (%zu bytes so far)",
                     name.c_str(), out.size());
      return NNRT_ERR_OOM;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0)
        break;
      // Another gzip member follows (as `cat a.gz b.gz` makes), else trailing garbage.
      if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b &&
          inflateReset(&zs) == Z_OK)
        continue;
      error = format("cannot read '%s': %u bytes of trailing garbage after the gzip data",
                     name.c_str(), zs.avail_in);
      return NNRT_ERR_FORMAT;
    }
    if (rc == Z_BUF_ERROR) { // no progress with room to write: the input ran out
      error = format("cannot read '%s': truncated gzip data", name.c_str());
      return NNRT_ERR_FORMAT;
    }
    if (rc != Z_OK) {
      error = format("cannot read '%s': %s", name.c_str(),
                     zs.msg ? zs.msg : "corrupt gzip data");
      return rc == Z_MEM_ERROR ? NNRT_ERR_OOM : NNRT_ERR_FORMAT;
    }
  }
  bytes.swap(out);
  return NNRT_OK;
}

/// "a directory", "a character device", ... for a file that is not regular.
static const char *fileKind(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

/// The file an atomic write must replace: `path` itself, or the regular file a symbolic
/// link at `path` points to. Anything that is not a regular file is refused (renaming
/// over it would replace a device node, a directory entry or a FIFO).
static nnrt_status writeTarget(const std::string &path, std::string &target,
                               std::string &error) {
  struct stat sb;
  target = path;
  if (lstat(path.c_str(), &sb) != 0) {
    if (errno == ENOENT)
      return NNRT_OK;
    error = format("cannot write '%s': %s", path.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  if (S_ISLNK(sb.st_mode)) {
    char *real = realpath(path.c_str(), nullptr);
    if (!real) {
      error = format("cannot write '%s': it is a symbolic link to a missing file",
                     path.c_str());
      return NNRT_ERR_IO;
    }
    target = real;
    std::free(real);
    if (stat(target.c_str(), &sb) != 0) {
      error = format("cannot write '%s': %s", path.c_str(), std::strerror(errno));
      return NNRT_ERR_IO;
    }
  }
  if (!S_ISREG(sb.st_mode)) {
    error = format("cannot write '%s': it is %s, not a regular file (refusing to replace it)",
                   path.c_str(), fileKind(sb.st_mode));
    return NNRT_ERR_IO;
  }
  return NNRT_OK;
}

/// Removes `<path>.tmp.<pid>` files whose writer is no longer alive (see
/// nnrt_remove_stale_temporaries).
static nnrt_status removeStale(const std::string &path, int32_t &removed, std::string &error) {
  removed = 0;
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (dir.empty())
    dir = "/";
  if (base.empty())
    return NNRT_OK;
  DIR *d = opendir(dir.c_str());
  if (!d) {
    error = format("cannot list '%s': %s", dir.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  std::string prefix = base + ".tmp.";
  while (const dirent *ent = readdir(d)) {
    const char *name = ent->d_name;
    if (std::strncmp(name, prefix.c_str(), prefix.size()) != 0)
      continue;
    const char *digits = name + prefix.size();
    size_t len = std::strlen(digits);
    if (len == 0 || len > 9 || std::strspn(digits, "0123456789") != len)
      continue;
    long pid = std::strtol(digits, nullptr, 10);
    if (pid <= 0 || pid == long(getpid()))
      continue;
    // kill(pid, 0) fails with ESRCH only when no such process exists (EPERM: it lives).
    if (kill(pid_t(pid), 0) == 0 || errno != ESRCH)
      continue;
    std::string file = dir + "/" + name;
    struct stat sb;
    if (lstat(file.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) && unlink(file.c_str()) == 0)
      ++removed;
  }
  closedir(d);
  return NNRT_OK;
}

nnrt_status nnrt::writeFileAtomic(const std::string &path, const std::string &head,
                                  const Chunks &chunks, std::string &error) {
  std::string target;
  if (nnrt_status s = writeTarget(path, target, error); s != NNRT_OK)
    return s;
  int32_t removed;
  std::string ignored; // best effort: a missing directory fails below with its own message
  removeStale(target, removed, ignored);
  std::string tmp = target + ".tmp." + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    error = format("cannot create '%s': %s", tmp.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size();
  // Test hook: die by SIGKILL halfway through the write, as a crash or `kill -9`
  // would, to show that the previous file at `path` survives (test/runtime).
  bool killMidway = std::getenv("NNRT_TEST_KILL_DURING_SAVE") != nullptr;
  for (auto &c : chunks) {
    ok = ok && std::fwrite(c.first, 1, c.second, f) == c.second;
    if (killMidway) {
      std::fflush(f);
      raise(SIGKILL);
    }
  }
  ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  int saved = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    error = format("cannot write '%s': %s", tmp.c_str(), std::strerror(saved));
    return NNRT_ERR_IO;
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    saved = errno;
    std::remove(tmp.c_str());
    error = format("cannot rename '%s' to '%s': %s", tmp.c_str(), target.c_str(),
                   std::strerror(saved));
    return NNRT_ERR_IO;
  }
  // Make the rename itself durable.
  std::string dir =
      target.find('/') == std::string::npos ? "." : target.substr(0, target.rfind('/'));
  if (dir.empty())
    dir = "/";
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  return NNRT_OK;
}

extern "C" nnrt_status nnrt_remove_stale_temporaries(const char *path, int32_t *removed,
                                                     nnrt_error *err) {
  if (!path)
    return fail(err, NNRT_ERR_ARG, "path is NULL");
  int32_t n = 0;
  std::string error;
  nnrt_status s = removeStale(path, n, error);
  if (removed)
    *removed = n;
  return s == NNRT_OK ? s : fail(err, s, "%s", error.c_str());
}
