#!/usr/bin/env python3
"""The BlazeFace input the wasm app computes (examples/face_detect/face_detect.c, preprocess():
the picture letterboxed into 128x128 with bilinear sampling, scaled to [-1, 1], NHWC), written as
raw little-endian f32, so that the native harnesses of nn/bench/backends.sh run on the same
values as the app (timing can depend on the data: e.g. denormals).
Usage: nn/bench/face_input.py PICTURE.ppm OUT.f32   (float32 arithmetic as in the C code)"""
import struct
import sys

import array


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def read_ppm(path):
    d = open(path, "rb").read()
    assert d[:2] == b"P6", "binary PPM (P6) expected"
    vals, p = [], 2
    while len(vals) < 3:
        c = d[p:p + 1]
        if c == b"#":
            while d[p:p + 1] != b"\n":
                p += 1
            continue
        if c.isdigit():
            v = 0
            while d[p:p + 1].isdigit():
                v = v * 10 + d[p] - 48
                p += 1
            vals.append(v)
            continue
        p += 1
    p += 1
    w, h, _ = vals
    return w, h, d[p:p + w * h * 3]


def main():
    w, h, rgb = read_ppm(sys.argv[1])
    size = 128
    s = f32(size / max(w, h))
    nw, nh = f32(w * s), f32(h * s)
    ox, oy = f32((size - nw) / 2), f32((size - nh) / 2)
    out = array.array("f", [0.0] * (size * size * 3))
    for y in range(size):
        for x in range(size):
            sx = f32(f32(f32(x + 0.5) - ox) / s - 0.5)
            sy = f32(f32(f32(y + 0.5) - oy) / s - 0.5)
            inside = sx >= -0.5 and sy >= -0.5 and sx <= w - 0.5 and sy <= h - 0.5
            for c in range(3):
                v = -1.0
                if inside:
                    fx = 0.0 if sx < 0 else (w - 1 if sx > w - 1 else sx)
                    fy = 0.0 if sy < 0 else (h - 1 if sy > h - 1 else sy)
                    x0, y0 = int(fx), int(fy)
                    x1 = x0 + 1 if x0 + 1 < w else x0
                    y1 = y0 + 1 if y0 + 1 < h else y0
                    ax, ay = f32(fx - x0), f32(fy - y0)
                    px = lambda xx, yy: rgb[(yy * w + xx) * 3 + c]
                    top = f32(f32(px(x0, y0) * f32(1 - ax)) + f32(px(x1, y0) * ax))
                    bot = f32(f32(px(x0, y1) * f32(1 - ax)) + f32(px(x1, y1) * ax))
                    p = f32(f32(top * f32(1 - ay)) + f32(bot * ay))
                    v = f32(f32(p / f32(127.5)) - 1.0)
                out[(y * size + x) * 3 + c] = v
    if sys.byteorder != "little":
        out.byteswap()
    with open(sys.argv[2], "wb") as f:
        out.tofile(f)


if __name__ == "__main__":
    main()
