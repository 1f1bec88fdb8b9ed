#!/usr/bin/python3
"""Independent float64 reference for the CLIP towers, written from OpenCLIP's published architecture.

Run with Debian's python3-torch (1.13, CPU): /usr/bin/python3 make_parity.py
For each tiny config in models/ it draws random weights under OpenCLIP's state_dict key names (fixed seed), saves
them as float32 (torch.save or a safetensors file written by hand below, so both readers are exercised against files
C# did not write), runs images and token ids through a plain-functional float64 forward pass, and writes
parity/<name>.io.safetensors with the inputs and the expected (unnormalised) embeddings.

Nothing here calls torch.nn.MultiheadAttention or OpenCLIP: attention, pooling and the blocks are spelled out, so a
shared misunderstanding would have to be made twice, independently.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
G = torch.Generator().manual_seed(20261124)


def randn(*shape, std=1.0):
    return torch.randn(*shape, generator=G, dtype=torch.float64) * std


# ---------------------------------------------------------------- weights under OpenCLIP's names

def bn(w, prefix, c):
    w[prefix + ".weight"] = 1 + randn(c, std=0.1)
    w[prefix + ".bias"] = randn(c, std=0.1)
    w[prefix + ".running_mean"] = randn(c, std=0.1)
    w[prefix + ".running_var"] = 0.5 + torch.rand(c, generator=G, dtype=torch.float64)
    w[prefix + ".num_batches_tracked"] = torch.tensor(17, dtype=torch.int64)


def conv(w, key, cout, cin, k):
    w[key] = randn(cout, cin, k, k, std=1 / math.sqrt(cin * k * k))


def linear(w, prefix, cout, cin):
    w[prefix + ".weight"] = randn(cout, cin, std=1 / math.sqrt(cin))
    w[prefix + ".bias"] = randn(cout, std=0.02)


def ln(w, prefix, c):
    w[prefix + ".weight"] = 1 + randn(c, std=0.1)
    w[prefix + ".bias"] = randn(c, std=0.1)


def blocks(w, prefix, width, layers, mlp_ratio):
    hidden = int(width * mlp_ratio)
    for i in range(layers):
        p = f"{prefix}.resblocks.{i}"
        ln(w, p + ".ln_1", width)
        w[p + ".attn.in_proj_weight"] = randn(3 * width, width, std=1 / math.sqrt(width))
        w[p + ".attn.in_proj_bias"] = randn(3 * width, std=0.02)
        linear(w, p + ".attn.out_proj", width, width)
        ln(w, p + ".ln_2", width)
        linear(w, p + ".mlp.c_fc", hidden, width)
        linear(w, p + ".mlp.c_proj", width, hidden)


def make_weights(cfg):
    w = {}
    v, t, d = cfg["vision_cfg"], cfg["text_cfg"], cfg["embed_dim"]
    head_width = v.get("head_width", 64)
    if isinstance(v["layers"], list):
        width = v["width"]
        conv(w, "visual.conv1.weight", width // 2, 3, 3)
        bn(w, "visual.bn1", width // 2)
        conv(w, "visual.conv2.weight", width // 2, width // 2, 3)
        bn(w, "visual.bn2", width // 2)
        conv(w, "visual.conv3.weight", width, width // 2, 3)
        bn(w, "visual.bn3", width)
        inplanes = width
        for stage, (n, planes) in enumerate(zip(v["layers"], [width, width * 2, width * 4, width * 8]), start=1):
            for b in range(n):
                p = f"visual.layer{stage}.{b}"
                conv(w, p + ".conv1.weight", planes, inplanes, 1)
                bn(w, p + ".bn1", planes)
                conv(w, p + ".conv2.weight", planes, planes, 3)
                bn(w, p + ".bn2", planes)
                conv(w, p + ".conv3.weight", planes * 4, planes, 1)
                bn(w, p + ".bn3", planes * 4)
                stride = 2 if (b == 0 and stage > 1) else 1
                if stride > 1 or inplanes != planes * 4:
                    conv(w, p + ".downsample.0.weight", planes * 4, inplanes, 1)
                    bn(w, p + ".downsample.1", planes * 4)
                inplanes = planes * 4
        feat = width * 32
        spatial = v["image_size"] // 32
        w["visual.attnpool.positional_embedding"] = randn(spatial * spatial + 1, feat, std=feat ** -0.5)
        for name in ("q_proj", "k_proj", "v_proj"):
            linear(w, "visual.attnpool." + name, feat, feat)
        linear(w, "visual.attnpool.c_proj", d, feat)
    else:
        width, patch = v["width"], v["patch_size"]
        grid = v["image_size"] // patch
        conv(w, "visual.conv1.weight", width, 3, patch)
        w["visual.class_embedding"] = randn(width, std=width ** -0.5)
        w["visual.positional_embedding"] = randn(grid * grid + 1, width, std=width ** -0.5)
        ln(w, "visual.ln_pre", width)
        blocks(w, "visual.transformer", width, v["layers"], v.get("mlp_ratio", 4.0))
        ln(w, "visual.ln_post", width)
        w["visual.proj"] = randn(width, d, std=width ** -0.5)
    tw = t["width"]
    w["token_embedding.weight"] = randn(t["vocab_size"], tw, std=0.02 * 10)
    w["positional_embedding"] = randn(t["context_length"], tw, std=0.1)
    blocks(w, "transformer", tw, t["layers"], t.get("mlp_ratio", 4.0))
    ln(w, "ln_final", tw)
    w["text_projection"] = randn(tw, d, std=tw ** -0.5)
    w["logit_scale"] = torch.tensor(math.log(1 / 0.07), dtype=torch.float64)
    return w


# ---------------------------------------------------------------- float64 forward pass

def act(x, quick):
    return x * torch.sigmoid(1.702 * x) if quick else F.gelu(x)


def attention(x, w, p, heads, causal):
    # x: (N, L, C). Packed projection in the order q, k, v, as torch.nn.MultiheadAttention stores it.
    n, l, c = x.shape
    qkv = x @ w[p + ".in_proj_weight"].T + w[p + ".in_proj_bias"]
    q, k, v = qkv.split(c, dim=-1)
    hd = c // heads
    q, k, v = (z.reshape(n, l, heads, hd).transpose(1, 2) for z in (q, k, v))
    scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
    if causal:
        mask = torch.full((l, l), float("-inf"), dtype=x.dtype).triu(1)
        scores = scores + mask
    out = torch.softmax(scores, dim=-1) @ v
    out = out.transpose(1, 2).reshape(n, l, c)
    return out @ w[p + ".out_proj.weight"].T + w[p + ".out_proj.bias"]


def transformer(x, w, prefix, layers, heads, quick, causal):
    for i in range(layers):
        p = f"{prefix}.resblocks.{i}"
        x = x + attention(F.layer_norm(x, x.shape[-1:], w[p + ".ln_1.weight"], w[p + ".ln_1.bias"]), w, p + ".attn", heads, causal)
        h = F.layer_norm(x, x.shape[-1:], w[p + ".ln_2.weight"], w[p + ".ln_2.bias"])
        h = act(h @ w[p + ".mlp.c_fc.weight"].T + w[p + ".mlp.c_fc.bias"], quick)
        x = x + h @ w[p + ".mlp.c_proj.weight"].T + w[p + ".mlp.c_proj.bias"]
    return x


def batchnorm(x, w, p):
    return F.batch_norm(x, w[p + ".running_mean"], w[p + ".running_var"], w[p + ".weight"], w[p + ".bias"], training=False, eps=1e-5)


def bottleneck(x, w, p, stride):
    out = F.relu(batchnorm(F.conv2d(x, w[p + ".conv1.weight"]), w, p + ".bn1"))
    out = F.relu(batchnorm(F.conv2d(out, w[p + ".conv2.weight"], padding=1), w, p + ".bn2"))
    if stride > 1:
        out = F.avg_pool2d(out, stride)
    out = batchnorm(F.conv2d(out, w[p + ".conv3.weight"]), w, p + ".bn3")
    if p + ".downsample.0.weight" in w:
        idn = F.avg_pool2d(x, stride) if stride > 1 else x
        idn = batchnorm(F.conv2d(idn, w[p + ".downsample.0.weight"]), w, p + ".downsample.1")
    else:
        idn = x
    return F.relu(out + idn)


def encode_image(x, w, cfg):
    v = cfg["vision_cfg"]
    head_width = v.get("head_width", 64)
    quick = cfg.get("quick_gelu", False)
    if isinstance(v["layers"], list):
        x = F.relu(batchnorm(F.conv2d(x, w["visual.conv1.weight"], stride=2, padding=1), w, "visual.bn1"))
        x = F.relu(batchnorm(F.conv2d(x, w["visual.conv2.weight"], padding=1), w, "visual.bn2"))
        x = F.relu(batchnorm(F.conv2d(x, w["visual.conv3.weight"], padding=1), w, "visual.bn3"))
        x = F.avg_pool2d(x, 2)
        for stage, n in enumerate(v["layers"], start=1):
            for b in range(n):
                x = bottleneck(x, w, f"visual.layer{stage}.{b}", 2 if (b == 0 and stage > 1) else 1)
        # Attention pooling: every position attends (OpenCLIP computes all queries); row 0 is the mean token's.
        n, c, hgt, wid = x.shape
        tokens = x.reshape(n, c, hgt * wid).permute(0, 2, 1)
        tokens = torch.cat([tokens.mean(dim=1, keepdim=True), tokens], dim=1) + w["visual.attnpool.positional_embedding"]
        heads = c // head_width
        hd = c // heads
        p = "visual.attnpool."
        q = (tokens @ w[p + "q_proj.weight"].T + w[p + "q_proj.bias"]).reshape(n, -1, heads, hd).transpose(1, 2)
        k = (tokens @ w[p + "k_proj.weight"].T + w[p + "k_proj.bias"]).reshape(n, -1, heads, hd).transpose(1, 2)
        vv = (tokens @ w[p + "v_proj.weight"].T + w[p + "v_proj.bias"]).reshape(n, -1, heads, hd).transpose(1, 2)
        out = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1) @ vv
        out = out.transpose(1, 2).reshape(n, -1, c)[:, 0]
        return out @ w[p + "c_proj.weight"].T + w[p + "c_proj.bias"]
    width = v["width"]
    x = F.conv2d(x, w["visual.conv1.weight"], stride=v["patch_size"])
    n = x.shape[0]
    x = x.reshape(n, width, -1).permute(0, 2, 1)
    x = torch.cat([w["visual.class_embedding"].expand(n, 1, width), x], dim=1) + w["visual.positional_embedding"]
    x = F.layer_norm(x, (width,), w["visual.ln_pre.weight"], w["visual.ln_pre.bias"])
    x = transformer(x, w, "visual.transformer", v["layers"], width // head_width, quick, causal=False)
    x = F.layer_norm(x, (width,), w["visual.ln_post.weight"], w["visual.ln_post.bias"])
    return x[:, 0] @ w["visual.proj"]


def encode_text(tokens, w, cfg):
    t = cfg["text_cfg"]
    x = w["token_embedding.weight"][tokens] + w["positional_embedding"]
    x = transformer(x, w, "transformer", t["layers"], t["heads"], cfg.get("quick_gelu", False), causal=True)
    x = F.layer_norm(x, (t["width"],), w["ln_final.weight"], w["ln_final.bias"])
    return x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)] @ w["text_projection"]


# ---------------------------------------------------------------- files

def save_safetensors(path, tensors):
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.uint8: "U8"}
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        data = tensors[key].contiguous().numpy().tobytes()
        header[key] = {"dtype": names[tensors[key].dtype], "shape": list(tensors[key].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def tokens_for(t, count):
    vocab, ctx = t["vocab_size"], t["context_length"]
    rows = torch.zeros(count, ctx, dtype=torch.int64)
    for i in range(count):
        length = 2 + int(torch.randint(ctx - 1, (1,), generator=G))
        rows[i, 0] = vocab - 2
        rows[i, 1:length - 1] = torch.randint(1, vocab - 2, (length - 2,), generator=G)
        rows[i, length - 1] = vocab - 1
    return rows


def main():
    out = os.path.join(HERE, "parity")
    os.makedirs(out, exist_ok=True)
    # One weights format per family keeps the fixtures small; each reader still meets a Python-written file.
    plan = {"tiny-rn": ".pt", "tiny-vit": ".safetensors", "tiny-vit-quickgelu": ".pt"}
    for name, ext in plan.items():
        with open(os.path.join(HERE, "models", name + ".json")) as f:
            cfg = json.load(f)
        w64 = make_weights(cfg)
        # Weights are stored as float32; the reference runs on exactly those values widened to float64.
        w32 = {k: (v.float() if v.is_floating_point() else v) for k, v in w64.items()}
        w = {k: (v.double() if v.is_floating_point() else v) for k, v in w32.items()}
        path = os.path.join(out, name + ext)
        if ext == ".pt":
            torch.save(w32, path)
        else:
            save_safetensors(path, w32)
        size = cfg["vision_cfg"]["image_size"]
        images = (torch.rand(3, 3, size, size, generator=G, dtype=torch.float64) * 4 - 2).float()
        tokens = tokens_for(cfg["text_cfg"], 4)
        with torch.no_grad():
            img = encode_image(images.double(), w, cfg)
            txt = encode_text(tokens, w, cfg)
        save_safetensors(os.path.join(out, name + ".io.safetensors"),
                         {"images": images, "tokens": tokens, "expected_image": img, "expected_text": txt})
        print(name, ext, "image", tuple(img.shape), "text", tuple(txt.shape))


if __name__ == "__main__":
    main()
