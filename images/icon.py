#!/usr/bin/env python3
"""Draws images/icon.png (128x128): a shield with a lens on a rounded square. Standard library
only (zlib + struct); run `python3 images/icon.py` after changing it."""
import math
import struct
import zlib
from pathlib import Path

N, SS = 128, 4  # size, supersampling per axis


def rounded_square(x, y, r=22):
    dx, dy = max(abs(x - 64) - (64 - r), 0), max(abs(y - 64) - (64 - r), 0)
    return math.hypot(dx, dy) <= r


def shield(x, y, grow=0.0):
    # flat top from y=22, straight sides to y=62, then curving to a point at y=110
    half = 36 + grow
    if y < 22 - grow or y > 110 + grow:
        return False
    if y <= 62:
        return abs(x - 64) <= half
    t = (y - 62) / (48 + 2 * grow)
    return abs(x - 64) <= half * math.sqrt(max(0.0, 1 - t * t))


def lens(x, y):
    d = math.hypot(x - 60, y - 58)
    ring = 13 <= d <= 20
    # handle from the ring towards the lower right
    ux, uy = (x - 60) / 1.0, (y - 58) / 1.0
    along = (ux + uy) / math.sqrt(2)
    across = abs(ux - uy) / math.sqrt(2)
    handle = 18 <= along <= 38 and across <= 4.5
    return ring or handle


def colour(x, y):
    if not rounded_square(x, y):
        return (0, 0, 0, 0)
    if shield(x, y) and lens(x, y):
        return (255, 255, 255, 255)
    if shield(x, y):
        return (38, 166, 154, 255)  # teal shield
    if shield(x, y, grow=5):
        return (255, 255, 255, 255)  # white rim
    return (24, 42, 72, 255)  # navy ground


rows = []
for py in range(N):
    row = bytearray([0])
    for px in range(N):
        acc = [0, 0, 0, 0]
        for sy in range(SS):
            for sx in range(SS):
                c = colour(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS)
                for i in range(3):
                    acc[i] += c[i] * c[3]
                acc[3] += c[3]
        a = acc[3] / (SS * SS)
        rgb = [round(acc[i] / acc[3]) if acc[3] else 0 for i in range(3)]
        row += bytes(rgb + [round(a)])
    rows.append(bytes(row))


def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)


png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', N, N, 8, 6, 0, 0, 0))
png += chunk(b'IDAT', zlib.compress(b''.join(rows), 9)) + chunk(b'IEND', b'')
Path(__file__).with_name('icon.png').write_bytes(png)
