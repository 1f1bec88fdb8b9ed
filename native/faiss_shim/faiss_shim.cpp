// Implements, over Debian's static libfaiss (built without its C API), the part of FAISS's upstream C API that
// ClipGuard.Stream.Index uses, plus the HNSW constructor the 1.7.3 C API lacks. Signatures come from the installed
// C-API headers, so a mismatch with upstream fails to compile rather than at P/Invoke time.
#include <faiss/AutoTune.h>
#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <exception>
#include <string>

extern "C" {
#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexIVFFlat_c.h>
#include <faiss/c_api/IndexIVF_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/MetaIndexes_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/impl/AuxIndexStructures_c.h>
#include <faiss/c_api/index_io_c.h>

// Not in the 1.7.3 C API: an HNSW-flat index with the build-time parameters that cannot be changed later.
typedef struct FaissIndex_H FaissIndexHNSWFlat;
int faiss_IndexHNSWFlat_new_with(FaissIndexHNSWFlat** p_index, idx_t d, int M, int efConstruction, FaissMetricType metric);

// Not in any FAISS C API: k-means (L2) started from the caller's centroids instead of random points, so a seeding
// that covers every cluster (k-means++) survives into the result. centroids: k * d floats, in and out.
int clipguard_kmeans_from(size_t d, size_t n, size_t k, const float* x, float* centroids, int niter, int seed);
}

#define SHIM_EXPORT __attribute__((visibility("default")))

namespace {

// Per calling thread, like upstream: the message stays valid until the same thread's next failing call.
thread_local std::string last_error;

template <typename F>
int guarded(F&& body) noexcept {
    try {
        body();
        return OK;
    } catch (const faiss::FaissException& e) {
        last_error = e.what();
        return FAISS_EXCEPT;
    } catch (const std::exception& e) {
        last_error = e.what();
        return STD_EXCEPT;
    } catch (...) {
        last_error = "unknown exception";
        return UNKNOWN_EXCEPT;
    }
}

faiss::Index* idx(FaissIndex* p) { return reinterpret_cast<faiss::Index*>(p); }
const faiss::Index* idx(const FaissIndex* p) { return reinterpret_cast<const faiss::Index*>(p); }
FaissIndex* handle(faiss::Index* p) { return reinterpret_cast<FaissIndex*>(p); }

faiss::MetricType metric_of(FaissMetricType m) { return static_cast<faiss::MetricType>(m); }

}  // namespace

extern "C" {

SHIM_EXPORT const char* faiss_get_last_error() { return last_error.c_str(); }

SHIM_EXPORT void faiss_Index_free(FaissIndex* obj) { delete idx(obj); }

SHIM_EXPORT int faiss_Index_d(const FaissIndex* index) { return idx(index)->d; }

SHIM_EXPORT int faiss_Index_is_trained(const FaissIndex* index) { return idx(index)->is_trained ? 1 : 0; }

SHIM_EXPORT idx_t faiss_Index_ntotal(const FaissIndex* index) { return idx(index)->ntotal; }

SHIM_EXPORT FaissMetricType faiss_Index_metric_type(const FaissIndex* index) {
    return static_cast<FaissMetricType>(idx(index)->metric_type);
}

SHIM_EXPORT int faiss_Index_train(FaissIndex* index, idx_t n, const float* x) {
    return guarded([&] { idx(index)->train(n, x); });
}

SHIM_EXPORT int faiss_Index_add_with_ids(FaissIndex* index, idx_t n, const float* x, const idx_t* xids) {
    return guarded([&] { idx(index)->add_with_ids(n, x, xids); });
}

SHIM_EXPORT int faiss_Index_search(const FaissIndex* index, idx_t n, const float* x, idx_t k, float* distances, idx_t* labels) {
    return guarded([&] { idx(index)->search(n, x, k, distances, labels); });
}

SHIM_EXPORT int faiss_Index_reset(FaissIndex* index) {
    return guarded([&] { idx(index)->reset(); });
}

SHIM_EXPORT int faiss_Index_remove_ids(FaissIndex* index, const FaissIDSelector* sel, size_t* n_removed) {
    return guarded([&] {
        size_t removed = idx(index)->remove_ids(*reinterpret_cast<const faiss::IDSelector*>(sel));
        if (n_removed) {
            *n_removed = removed;
        }
    });
}

SHIM_EXPORT int faiss_Index_reconstruct(const FaissIndex* index, idx_t key, float* recons) {
    return guarded([&] { idx(index)->reconstruct(key, recons); });
}

SHIM_EXPORT int faiss_IndexFlat_new_with(FaissIndexFlat** p_index, idx_t d, FaissMetricType metric) {
    return guarded([&] { *p_index = handle(new faiss::IndexFlat(d, metric_of(metric))); });
}

SHIM_EXPORT int faiss_IndexIVFFlat_new_with_metric(
        FaissIndexIVFFlat** p_index, FaissIndex* quantizer, size_t d, size_t nlist, FaissMetricType metric) {
    return guarded([&] { *p_index = handle(new faiss::IndexIVFFlat(idx(quantizer), d, nlist, metric_of(metric))); });
}

SHIM_EXPORT void faiss_IndexIVF_set_own_fields(FaissIndexIVF* index, int own) {
    reinterpret_cast<faiss::IndexIVF*>(index)->own_fields = own != 0;
}

// 1 = every list the same length; the expected scan cost per probe grows with it (queries land in big lists).
SHIM_EXPORT double faiss_IndexIVF_imbalance_factor(const FaissIndexIVF* index) {
    return reinterpret_cast<const faiss::IndexIVF*>(index)->invlists->imbalance_factor();
}

SHIM_EXPORT int clipguard_kmeans_from(size_t d, size_t n, size_t k, const float* x, float* centroids, int niter, int seed) {
    return guarded([&] {
        faiss::ClusteringParameters params;
        params.niter = niter;
        params.seed = seed;
        // Every given point takes part: the caller has already sampled, and FAISS's own subsampling would be random.
        params.max_points_per_centroid = static_cast<int>((n + k - 1) / k);
        params.min_points_per_centroid = 1;
        faiss::Clustering clustering(static_cast<int>(d), k, params);
        clustering.centroids.assign(centroids, centroids + k * d);
        faiss::IndexFlatL2 assign(static_cast<faiss::Index::idx_t>(d));
        clustering.train(static_cast<faiss::Index::idx_t>(n), x, assign);
        std::copy(clustering.centroids.begin(), clustering.centroids.end(), centroids);
    });
}

SHIM_EXPORT int faiss_IndexHNSWFlat_new_with(
        FaissIndexHNSWFlat** p_index, idx_t d, int M, int efConstruction, FaissMetricType metric) {
    return guarded([&] {
        auto* index = new faiss::IndexHNSWFlat(static_cast<int>(d), M, metric_of(metric));
        index->hnsw.efConstruction = efConstruction;
        *p_index = handle(index);
    });
}

SHIM_EXPORT int faiss_IndexIDMap2_new(FaissIndexIDMap2** p_index, FaissIndex* index) {
    return guarded([&] { *p_index = handle(new faiss::IndexIDMap2(idx(index))); });
}

SHIM_EXPORT void faiss_IndexIDMap2_set_own_fields(FaissIndexIDMap2* index, int own) {
    reinterpret_cast<faiss::IndexIDMap2*>(index)->own_fields = own != 0;
}

SHIM_EXPORT int faiss_IDSelectorBatch_new(FaissIDSelectorBatch** p_sel, size_t n, const idx_t* indices) {
    return guarded([&] {
        *p_sel = reinterpret_cast<FaissIDSelectorBatch*>(new faiss::IDSelectorBatch(n, indices));
    });
}

SHIM_EXPORT void faiss_IDSelector_free(FaissIDSelector* obj) { delete reinterpret_cast<faiss::IDSelector*>(obj); }

SHIM_EXPORT int faiss_ParameterSpace_new(FaissParameterSpace** space) {
    return guarded([&] { *space = reinterpret_cast<FaissParameterSpace*>(new faiss::ParameterSpace()); });
}

SHIM_EXPORT void faiss_ParameterSpace_free(FaissParameterSpace* obj) {
    delete reinterpret_cast<faiss::ParameterSpace*>(obj);
}

// Reaches through IDMap wrappers to IVF (nprobe) and HNSW (efSearch), so callers need not hold the inner index.
SHIM_EXPORT int faiss_ParameterSpace_set_index_parameter(
        const FaissParameterSpace* space, FaissIndex* index, const char* name, double value) {
    return guarded([&] {
        reinterpret_cast<const faiss::ParameterSpace*>(space)->set_index_parameter(idx(index), name, value);
    });
}

SHIM_EXPORT int faiss_write_index_fname(const FaissIndex* index, const char* fname) {
    return guarded([&] { faiss::write_index(idx(index), fname); });
}

SHIM_EXPORT int faiss_read_index_fname(const char* fname, int io_flags, FaissIndex** p_out) {
    return guarded([&] { *p_out = handle(faiss::read_index(fname, io_flags)); });
}

}  // extern "C"
