#!/usr/bin/python3
"""Times scikit-learn's LocalOutlierFactor(novelty=True) on the same data as `clipguard bench scoring`.

Usage: sklearn_lof.py R.npy Q.npy K THREADS   -> prints one JSON line: fit_s, score_s (median of three warm runs), queries, blas

"blas" names the BLAS library and kernel numpy/scikit-learn actually ran with, as threadpoolctl reports it (OpenBLAS
reads OPENBLAS_CORETYPE, inherited from clipguard, which sets it for this CPU), or why it is unknown.
"""
import json
import os
import sys
import time

threads = sys.argv[4]
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = threads

import numpy as np  # noqa: E402
from sklearn.neighbors import LocalOutlierFactor  # noqa: E402

R = np.load(sys.argv[1])
Q = np.load(sys.argv[2])
k = int(sys.argv[3])
lof = LocalOutlierFactor(n_neighbors=k, novelty=True, algorithm="brute", metric="euclidean", n_jobs=int(threads))
t0 = time.perf_counter()
lof.fit(R)
t1 = time.perf_counter()
# As on clipguard's side: one untimed run, then the median of three.
scores = -lof.score_samples(Q)
runs = []
for _ in range(3):
    start = time.perf_counter()
    scores = -lof.score_samples(Q)
    runs.append(time.perf_counter() - start)
score_s = sorted(runs)[1]
try:
    from threadpoolctl import threadpool_info

    blas = "; ".join(
        f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, {i.get('num_threads')} threads"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ) or "no BLAS found by threadpoolctl"
except ImportError:
    blas = "unknown (threadpoolctl is not installed)"
print(json.dumps({"fit_s": t1 - t0, "score_s": score_s, "queries": int(Q.shape[0]), "mean_lof": float(np.mean(scores)), "blas": blas}))
