#!/usr/bin/python3
"""Times scikit-learn's LocalOutlierFactor(novelty=True) on the same data as `clipguard bench scoring`.

Usage: sklearn_lof.py R.npy Q.npy K THREADS   -> prints one JSON line: fit_s, score_s, queries
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
scores = -lof.score_samples(Q)
t2 = time.perf_counter()
print(json.dumps({"fit_s": t1 - t0, "score_s": t2 - t1, "queries": int(Q.shape[0]), "mean_lof": float(np.mean(scores))}))
