#!/usr/bin/python3
"""Writes the oracle fixtures that the Core tests compare against.

Run from anywhere with /usr/bin/python3 (Debian 12: python3-numpy, python3-sklearn). Seeds are fixed, so a rerun
rewrites the same files; the tests read the committed copies and never run this script.

  metrics/  sklearn's roc_auc_score, average_precision_score and FPR at 95% TPR for several score/label sets.
  lof/      k-NN, kd, LID, lrd, LOF, SLOF and DAO from a direct NumPy transcription of docs/detection.md,
            cross-checked against sklearn's LocalOutlierFactor (see lof/README.md).
  npy/      small .npy files written by NumPy (good and bad) for the reader tests.
"""

import json
import os
import sys

import numpy as np
import sklearn
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve
from sklearn.neighbors import LocalOutlierFactor

HERE = os.path.dirname(os.path.abspath(__file__))


def out(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


# ---------------------------------------------------------------- metrics

def fpr_at_tpr(labels, scores, target=0.95):
    # The definition DetectionMetrics.FprAtTpr documents: the first ROC point (thresholds descending) whose TPR
    # reaches the target; drop_intermediate=False keeps every distinct threshold.
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    return float(fpr[np.searchsorted(tpr, target)])


def metric_cases():
    rng = np.random.default_rng(20250201)
    cases = []

    def add(name, scores, labels):
        scores = np.asarray(scores, dtype=np.float64)
        labels = np.asarray(labels, dtype=np.int64)
        cases.append({
            "name": name,
            "scores": [float(s) for s in scores],
            "labels": [int(v) for v in labels],
            "auroc": float(roc_auc_score(labels, scores)),
            "average_precision": float(average_precision_score(labels, scores)),
            "fpr_at_95_tpr": fpr_at_tpr(labels, scores, 0.95),
            "fpr_at_80_tpr": fpr_at_tpr(labels, scores, 0.80),
        })

    add("hand_small", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])
    add("hand_ties", [0.5, 0.5, 0.2, 0.9, 0.5, 0.1, 0.9], [1, 0, 0, 1, 0, 1, 0])

    n = 1000
    labels = (rng.random(n) < 0.1).astype(np.int64)
    add("random_continuous", rng.normal(size=n) + 1.2 * labels, labels)

    # One decimal: many tied scores across both classes.
    n = 400
    labels = (rng.random(n) < 0.25).astype(np.int64)
    add("random_rounded_ties", np.round(rng.normal(size=n) + 0.8 * labels, 1), labels)

    # Integer scores in a small range: a few large tie groups.
    n = 300
    labels = (rng.random(n) < 0.3).astype(np.int64)
    add("few_levels", rng.integers(0, 5, size=n) + labels * rng.integers(0, 2, size=n), labels)

    n = 50
    labels = np.zeros(n, dtype=np.int64)
    labels[rng.choice(n, 7, replace=False)] = 1
    add("all_tied", np.full(n, 3.25), labels)

    add("perfect", np.r_[rng.random(30), 2 + rng.random(10)], np.r_[np.zeros(30), np.ones(10)])
    add("inverted", np.r_[2 + rng.random(30), rng.random(10)], np.r_[np.zeros(30), np.ones(10)])

    # A rare-positive stream like the detector sees: 5 poisoned in 2000, heavy-tailed clean scores.
    n = 2000
    labels = np.zeros(n, dtype=np.int64)
    labels[rng.choice(n, 5, replace=False)] = 1
    add("rare_positives", rng.standard_t(3, size=n) + 3.0 * labels, labels)

    # 20 positives: TPR hits 0.95 exactly (19/20), so "reaches" must mean >=, not >.
    labels = np.r_[np.ones(20), np.zeros(30)].astype(np.int64)
    add("tpr_exactly_095", np.round(rng.normal(size=50) + labels, 2), labels)
    return cases


def write_metrics():
    cases = metric_cases()
    doc = {
        "generator": "make_fixtures.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "fpr_definition": "fpr[np.searchsorted(tpr, t)] on sklearn.metrics.roc_curve(y, s, drop_intermediate=False)",
        "cases": cases,
    }
    with open(out("metrics", "detection_metrics.json"), "w", encoding="utf-8") as f:
        # Python writes floats with repr, which round-trips every double exactly.
        json.dump(doc, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------- LOF family

def make_data():
    # Seed picked (scanning 1600-1639) so that check_margin holds at 1e-5 in all four configurations.
    rng = np.random.default_rng(1603)
    d = 8
    centres = rng.normal(size=(3, d)) * 2.5
    spreads = [0.25, 0.6, 1.2]
    sizes = [190, 130, 72]
    blobs = [centres[i] + spreads[i] * rng.normal(size=(sizes[i], d)) for i in range(3)]
    planted = rng.uniform(-6, 6, size=(6, d))  # sparse points scattered around the blobs
    r = np.vstack(blobs + [planted])

    # Two members at exactly equal distance (euclidean and cosine) from a query point c, closer to it than anything
    # else: their coordinates are small dyadic numbers, so every distance below is exact in float64, and they are
    # mirror images of each other (coordinates 0 and 1 swapped), so their norms are bit-identical too.
    c = np.round((centres[0] + np.array([1.5] * d)) * 64) / 64
    c[1] = c[0]
    w = np.zeros(d)
    w[0], w[1] = 1 / 64, -1 / 64
    tie_a, tie_b = c + w, c - w
    r = np.vstack([r, tie_a, tie_b])
    perm = rng.permutation(len(r))
    r = r[perm]
    tie_members = sorted([int(np.where(perm == len(perm) - 2)[0][0]), int(np.where(perm == len(perm) - 1)[0][0])])

    q_inliers = np.vstack([centres[i] + spreads[i] * rng.normal(size=(m, d)) for i, m in enumerate([30, 20, 16])])
    q_far = rng.normal(size=(10, d))
    q_far = 9.0 * q_far / np.linalg.norm(q_far, axis=1, keepdims=True) + 2.0 * rng.normal(size=(10, d))
    q_between = (centres[0] + centres[1]) / 2 + 0.05 * rng.normal(size=(3, d))
    q = np.vstack([q_inliers, q_far, q_between, c])
    tie_query = len(q) - 1

    assert len(np.unique(r, axis=0)) == len(r), "R has duplicate rows"
    assert not (q[:, None, :] == r[None, :, :]).all(axis=2).any(), "a row of Q is also in R"
    return r, q, tie_query, tie_members


def pairwise(a, b, metric):
    # Straight from the definition, not the |a|^2 + |b|^2 - 2ab shortcut, so the oracle is as exact as float64 gets.
    if metric == "euclidean":
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    na = np.sqrt((a * a).sum(axis=1))
    nb = np.sqrt((b * b).sum(axis=1))
    return 1.0 - (a @ b.T) / (na[:, None] * nb[None, :])


def knn(dist, k, self_index=None):
    """k nearest columns of each row of dist; ties to the lower column index; self excluded by index."""
    dist = dist.copy()
    if self_index is not None:
        dist[np.arange(len(dist)), self_index] = np.inf
    idx = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return idx, np.take_along_axis(dist, idx, axis=1), np.sort(dist, axis=1, kind="stable")


def lid(nd):
    kd = nd[:, -1]
    return -1.0 / np.mean(np.log(nd / kd[:, None]), axis=1)


def lof_family(nd, idx, ref_kd, ref_lrd, ref_lid):
    kd = nd[:, -1]
    reach = np.maximum(nd, ref_kd[idx])
    lrd = 1.0 / reach.mean(axis=1)
    return {
        "kd": kd,
        "lid": lid(nd),
        "lrd": lrd,
        "lof": (ref_lrd[idx] / lrd[:, None]).mean(axis=1),
        "slof": (kd[:, None] / ref_kd[idx]).mean(axis=1),
        "dao": ((kd[:, None] / ref_kd[idx]) ** ref_lid[idx]).mean(axis=1),
    }


def check_margin(sorted_dist, k, what, skip_rows=()):
    # A k-NN implementation that rounds differently must still find the same set: the k-th and (k+1)-th distances
    # have to be well apart. (The planted exact tie sits at ranks 1 and 2, inside the set, never at its edge.)
    gaps = (sorted_dist[:, k] - sorted_dist[:, k - 1]) / sorted_dist[:, k]
    gaps = np.delete(gaps, list(skip_rows))
    assert gaps.min() > 1e-5, f"{what}: k-th and (k+1)-th neighbours nearly tied (relative gap {gaps.min():.3g})"
    return float(gaps.min())


def write_lof():
    r, q, tie_query, tie_members = make_data()
    summary = []
    for metric in ("euclidean", "cosine"):
        d_rr = pairwise(r, r, metric)
        d_qr = pairwise(q, r, metric)
        for k in (5, 16):
            name = f"{metric}_k{k}"
            loo_idx, loo_nd, loo_sorted = knn(d_rr, k, self_index=np.arange(len(r)))
            nov_idx, nov_nd, nov_sorted = knn(d_qr, k)
            gap = min(check_margin(loo_sorted, k, f"{name} loo"), check_margin(nov_sorted, k, f"{name} novelty"))

            ref_kd = loo_nd[:, -1]
            ref_lid = lid(loo_nd)
            ref_lrd = 1.0 / np.maximum(loo_nd, ref_kd[loo_idx]).mean(axis=1)
            loo = lof_family(loo_nd, loo_idx, ref_kd, ref_lrd, ref_lid)
            nov = lof_family(nov_nd, nov_idx, ref_kd, ref_lrd, ref_lid)
            assert np.allclose(loo["lrd"], ref_lrd, rtol=0, atol=0)

            # The planted tie: both members at rank 1 and 2 of the tie query, lower index first.
            assert nov_nd[tie_query, 0] == nov_nd[tie_query, 1], f"{name}: planted tie is not exact"
            assert list(nov_idx[tie_query, :2]) == tie_members, f"{name}: planted tie not at ranks 1-2"

            model = LocalOutlierFactor(n_neighbors=k, novelty=True, metric=metric, algorithm="brute").fit(r)
            sk_nov = -model.score_samples(q)
            sk_loo = -model.negative_outlier_factor_
            for mine, theirs, what in ((nov["lof"], sk_nov, "novelty"), (loo["lof"], sk_loo, "loo")):
                rel = np.abs(mine - theirs) / np.abs(theirs)
                assert rel.max() < 1e-6, f"{name} {what}: NumPy LOF differs from sklearn by {rel.max():.3g} relative"
            sk_idx = model.kneighbors(q, n_neighbors=k, return_distance=False)
            assert (np.sort(sk_idx, axis=1) == np.sort(nov_idx, axis=1)).all(), f"{name}: k-NN sets differ from sklearn"

            folder = ("lof", name)
            np.save(out(*folder, "R.npy"), r)
            np.save(out(*folder, "Q.npy"), q)
            for prefix, values in (("novelty", nov), ("loo", loo)):
                for key, v in values.items():
                    np.save(out(*folder, f"{prefix}_{key}.npy"), v.astype(np.float64))
            np.save(out(*folder, "novelty_lof_sklearn.npy"), sk_nov.astype(np.float64))
            np.save(out(*folder, "loo_lof_sklearn.npy"), sk_loo.astype(np.float64))
            np.save(out(*folder, "novelty_knn.npy"), nov_idx.astype(np.int64))
            np.save(out(*folder, "novelty_knn_dist.npy"), nov_nd)
            np.save(out(*folder, "loo_knn.npy"), loo_idx.astype(np.int64))
            np.save(out(*folder, "loo_knn_dist.npy"), loo_nd)
            summary.append((name, gap, float(np.max(np.abs(nov["lof"] - sk_nov) / sk_nov)),
                            float(np.max(np.abs(loo["lof"] - sk_loo) / sk_loo))))
    return r.shape, q.shape, tie_query, tie_members, summary


# ---------------------------------------------------------------- .npy reader inputs

F16 = [[0.0, 1.0, -2.5, 65504.0], [6.103515625e-05, 5.960464477539063e-08, 0.333251953125, -0.0]]
F32 = [[0.1, -1.5, 3.0e38], [1.0e-40, 2.0, -0.0], [123.456, 7.0, -8.25]]
F64 = [[np.pi, -1.0e-300, 2.5], [1.0e300, -0.0, 4.0]]


def write_npy():
    def path(name):
        return out("npy", name)

    np.save(path("f2_2x4.npy"), np.array(F16, dtype="<f2"))
    np.save(path("f4_3x3.npy"), np.array(F32, dtype="<f4"))
    np.save(path("f8_2x3.npy"), np.array(F64, dtype="<f8"))
    np.save(path("f8_nonfinite.npy"), np.array([[1.0, np.nan], [np.inf, -np.inf]], dtype="<f8"))
    np.save(path("f4_empty_0x5.npy"), np.zeros((0, 5), dtype="<f4"))
    for version in ((2, 0), (3, 0)):
        with open(path(f"f4_3x3_v{version[0]}.npy"), "wb") as f:
            np.lib.format.write_array(f, np.array(F32, dtype="<f4"), version=version)
    np.save(path("fortran_f8.npy"), np.asfortranarray(np.array(F64, dtype="<f8")))
    np.save(path("f8_1d.npy"), np.arange(5, dtype="<f8"))
    np.save(path("f8_3d.npy"), np.zeros((2, 3, 4), dtype="<f8"))
    np.save(path("i4_2x3.npy"), np.arange(6, dtype="<i4").reshape(2, 3))
    np.save(path("be_f4_2x2.npy"), np.array([[1, 2], [3, 4]], dtype=">f4"))
    np.save(path("object.npy"), np.array([[{"a": 1}, None]], dtype=object), allow_pickle=True)
    with open(path("f4_3x3.npy"), "rb") as f:
        whole = f.read()
    with open(path("truncated_f4.npy"), "wb") as f:
        f.write(whole[:-5])  # header intact, the last element and a byte of the one before missing
    with open(path("not_npy.npy"), "w", encoding="utf-8") as f:
        f.write("id,score\n1,0.5\n")

    labels = np.array([0, 1, 1, 0, 1, 0, 0], dtype=np.int64)
    for dtype in ("|b1", "|i1", "|u1", "<i2", "<i4", "<i8", "<f4", "<f8"):
        np.save(path(f"labels_{dtype[1:]}.npy"), labels.astype(dtype))
    np.save(path("labels_i8_column.npy"), labels.reshape(-1, 1))
    np.save(path("labels_invalid_2.npy"), np.array([0, 1, 0, 2, 1], dtype="<i4"))
    np.save(path("labels_invalid_half.npy"), np.array([0.0, 1.0, 0.5], dtype="<f8"))
    np.save(path("labels_2d.npy"), np.zeros((3, 2), dtype="<i8"))


def main():
    write_metrics()
    r_shape, q_shape, tie_query, tie_members, summary = write_lof()
    write_npy()
    print(f"R {r_shape}, Q {q_shape}, tie query {tie_query} -> members {tie_members}")
    for name, gap, nov_rel, loo_rel in summary:
        print(f"{name}: min relative k/(k+1) gap {gap:.3g}; LOF vs sklearn max rel diff novelty {nov_rel:.3g}, loo {loo_rel:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
