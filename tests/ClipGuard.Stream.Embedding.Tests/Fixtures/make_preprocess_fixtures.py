#!/usr/bin/python3
"""Float64 reference for the image preprocessing, from OpenCLIP's eval transform as published.

Run: /usr/bin/python3 make_preprocess_fixtures.py   (python3-numpy, python3-pil, dataset-fashion-mnist)
Builds small real images from Fashion-MNIST (JPEG, PNG, WebP, GIF, an RGBA PNG), decodes them with Pillow, and
computes the model input in float64: Resize(shorter side -> size) with Pillow's antialiased bicubic (Keys a = -0.5,
support widened by the downscale factor) but without its 8-bit rounding, values clipped to [0, 255] after each pass
as Pillow does, CenterCrop with half-to-even offsets, /255, (x - mean) / std. Writes images/<name> and
images/expected.safetensors (one (3, S, S) tensor per image and size, plus the Pillow-decoded RGB for the decoder
check). Also prints how far Pillow's own 8-bit pipeline (what OpenCLIP really runs) is from this reference.
"""
import gzip
import io
import os
import struct
import zlib

import numpy as np
import torch
from PIL import Image

from make_parity import save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "images")
MEAN = np.array([0.48145466, 0.4578275, 0.40821073])
STD = np.array([0.26862954, 0.26130258, 0.27577711])
SIZES = [64, 48]


def fashion_mnist(count):
    with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(-1, 28, 28)[:count]


def make_images():
    fm = fashion_mnist(24)
    tints = [(255, 80, 40), (40, 200, 90), (60, 90, 255), (240, 220, 60), (200, 60, 220), (90, 230, 230)]

    def tinted(i):
        g = fm[i].astype(np.float64) / 255
        bg = np.array([20, 30, 50]) if i % 2 else np.array([235, 230, 220])
        return (bg * (1 - g[..., None]) + np.array(tints[i % len(tints)]) * g[..., None]).astype(np.uint8)

    # A 6 x 4 mosaic (168 x 112): wide, real photographs of clothing, saved as a colour JPEG.
    mosaic = np.concatenate([np.concatenate([tinted(r * 6 + c) for c in range(6)], axis=1) for r in range(4)], axis=0)
    images = {}
    buf = io.BytesIO()
    Image.fromarray(mosaic).save(buf, "JPEG", quality=90)
    images["mosaic.jpg"] = buf.getvalue()
    # One item as the grayscale PNG it is (upscaling path, 28 -> 64).
    buf = io.BytesIO()
    Image.fromarray(fm[0], "L").save(buf, "PNG")
    images["item0-gray.png"] = buf.getvalue()
    # Tall colour PNG with a varying alpha channel: OpenCLIP's convert("RGB") drops alpha without compositing.
    tall = np.concatenate([tinted(i) for i in range(3, 7)], axis=0)               # 112 x 28
    alpha = np.tile(np.linspace(40, 255, 28).astype(np.uint8), (112, 1))
    buf = io.BytesIO()
    Image.fromarray(np.dstack([tall, alpha]), "RGBA").save(buf, "PNG")
    images["tall-rgba.png"] = buf.getvalue()
    # Lossless WebP (lossy WebP decoders may legitimately differ).
    buf = io.BytesIO()
    Image.fromarray(np.concatenate([tinted(7), tinted(8), tinted(9)], axis=1)).save(buf, "WEBP", lossless=True)
    images["strip.webp"] = buf.getvalue()
    # Two-frame GIF: only the first frame counts.
    frames = [Image.fromarray(np.concatenate([tinted(10 + k), tinted(12 + k)], axis=1)).convert("P", palette=Image.ADAPTIVE) for k in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    images["anim.gif"] = buf.getvalue()
    return images


def png_with_header(width, height):
    """A PNG whose IHDR declares width x height over a tiny IDAT: the shape of a decompression bomb or a 0-pixel image."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def kernel(x):
    a = -0.5
    x = np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1, np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


def resample_matrix(n_in, n_out):
    """(n_out, n_in) matrix of normalised antialiased bicubic weights."""
    scale = n_in / n_out
    fs = max(scale, 1.0)
    m = np.zeros((n_out, n_in))
    for o in range(n_out):
        center = (o + 0.5) * scale
        lo = max(int(center - 2 * fs + 0.5), 0)
        hi = min(int(center + 2 * fs + 0.5), n_in)
        idx = np.arange(lo, hi)
        w = kernel((idx - center + 0.5) / fs)
        m[o, lo:hi] = w / w.sum() if w.sum() != 0 else 0
    return m


def reference(rgb, size):
    h, w, _ = rgb.shape
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nh, nw = size, int(size * w / h)
    x = rgb.astype(np.float64)
    x = np.clip(np.einsum("ow,hwc->hoc", resample_matrix(w, nw), x), 0, 255)
    x = np.clip(np.einsum("oh,hwc->owc", resample_matrix(h, nh), x), 0, 255)
    top, left = int(round((nh - size) / 2.0)), int(round((nw - size) / 2.0))
    x = x[top:top + size, left:left + size] / 255.0
    return ((x - MEAN) / STD).transpose(2, 0, 1)


def pillow_openclip(img, size):
    """What OpenCLIP actually runs (torchvision on a PIL image), for the report only."""
    w, h = img.size
    nw, nh = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
    r = img.resize((nw, nh), Image.BICUBIC)
    top, left = int(round((nh - size) / 2.0)), int(round((nw - size) / 2.0))
    r = r.crop((left, top, left + size, top + size)).convert("RGB")
    x = np.asarray(r, dtype=np.float64) / 255.0
    return ((x - MEAN) / STD).transpose(2, 0, 1)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in {"bomb.png": png_with_header(50_000, 50_000), "zero-width.png": png_with_header(0, 16)}.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(buf, "BMP")
    with open(os.path.join(OUT, "unsupported.bmp"), "wb") as f:
        f.write(buf.getvalue())
    tensors = {}
    for name, data in make_images().items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        img = Image.open(io.BytesIO(data))
        img.seek(0)
        rgb = np.asarray(img.convert("RGB"))
        tensors[name + "/decoded"] = torch.from_numpy(rgb.copy())
        for size in SIZES:
            ref = reference(rgb, size)
            tensors[f"{name}/{size}"] = torch.from_numpy(ref.astype(np.float32))
            pil = pillow_openclip(Image.open(io.BytesIO(data)), size)
            print(f"{name:16s} {rgb.shape[1]}x{rgb.shape[0]} -> {size}: max |float64 ref - Pillow 8-bit| = {np.abs(pil - ref).max():.4f}")
    save_safetensors(os.path.join(OUT, "expected.safetensors"), tensors)


if __name__ == "__main__":
    main()
