#!/usr/bin/env python3
"""Converts a picture to raw RGB bytes (row-major, 3 bytes per pixel) of SIZE x SIZE, the input the
face-detection demo reads (BlazeFace short range takes 128x128). Needs Pillow (nn/engines/fetch.sh
puts it in $EMBER_CACHE/pylib).
Usage: picture_to_rgb.py IN.png OUT.rgb SIZE
"""
import os
import sys

_cache = os.environ.get("EMBER_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "ember")
sys.path.insert(0, os.path.join(_cache, "pylib"))
from PIL import Image  # noqa: E402


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    size = int(sys.argv[3])
    img = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
    with open(sys.argv[2], "wb") as f:
        f.write(img.tobytes())
    print(f"picture_to_rgb: {sys.argv[1]} -> {sys.argv[2]} ({size}x{size} RGB)")


if __name__ == "__main__":
    main()
