#!/usr/bin/env python3
"""Converts a picture (PNG, JPEG, ...) to binary PPM (P6, RGB, maxval 255), the format the
face-detection demo reads (decoding PNG inside a wasm app would only add code that is not the
point of the demo). Needs Pillow (nn/engines/fetch.sh puts it in $EMBER_CACHE/pylib).
Usage: picture_to_ppm.py IN OUT.ppm
"""
import os
import sys

_cache = os.environ.get("EMBER_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "ember")
sys.path.insert(0, os.path.join(_cache, "pylib"))
from PIL import Image  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    img = Image.open(sys.argv[1]).convert("RGB")
    with open(sys.argv[2], "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % img.size)
        f.write(img.tobytes())
    print(f"picture_to_ppm: {sys.argv[1]} -> {sys.argv[2]} ({img.size[0]}x{img.size[1]})")


if __name__ == "__main__":
    main()
