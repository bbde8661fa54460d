"""Prints `PNG WIDTHxHEIGHT gray|rgb, N distinct values` for a PNG file written by nnrt's
driver (8-bit, non-interlaced), reading it with the standard library only; exits 1 on
anything that is not a valid PNG."""
import struct
import sys
import zlib

data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, header = 8, b"", None
while pos < len(data):
    (length,) = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
    (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
    if zlib.crc32(kind + body) != crc:
        sys.exit(f"bad CRC in {kind!r}")
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
width, height, depth, color, _, _, interlace = header
channels = {0: 1, 2: 3}[color]
raw = zlib.decompress(idat)
stride = width * channels
if depth != 8 or interlace or len(raw) != height * (stride + 1):
    sys.exit("unexpected PNG layout")
# Undo the row filters (None, Sub, Up, Average, Paeth) to count the distinct values.
rows, prev = [], bytearray(stride)
for y in range(height):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - channels] if x >= channels else 0
        b, c = prev[x], prev[x - channels] if x >= channels else 0
        if f == 1:
            line[x] = (line[x] + a) & 255
        elif f == 2:
            line[x] = (line[x] + b) & 255
        elif f == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
values = set()
for line in rows:
    values.update(line)
print(f"PNG {width}x{height} {'gray' if channels == 1 else 'rgb'}, {len(values)} distinct values")
