#!/usr/bin/python3
"""Wraps parity/tiny-vit-quickgelu.pt the way OpenCLIP's training loop saves epochs (run after make_parity.py).

OpenCLIP's main.py writes {"epoch", "name", "state_dict", "optimizer"} and, under DistributedDataParallel, every
state_dict key starts with "module.". The loader must unwrap both; the test compares against the plain file.
"""
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
plain = torch.load(os.path.join(HERE, "parity", "tiny-vit-quickgelu.pt"))
wrapped = {
    "epoch": 3,
    "name": "tiny-vit-quickgelu-ddp",
    "state_dict": {"module." + k: v.half() if v.is_floating_point() else v for k, v in plain.items()},
}
torch.save(wrapped, os.path.join(HERE, "parity", "tiny-vit-quickgelu.epoch_3.pt"))
print("wrote parity/tiny-vit-quickgelu.epoch_3.pt with", len(wrapped["state_dict"]), "float16 tensors")
