namespace ClipGuard.Stream.Index;

/// <summary>
/// Element type an HNSW graph keeps its vectors in (USearch only). Halving the bytes per vector halves the memory the
/// search walks; distances are then computed from the rounded vectors, so they carry that rounding.
/// </summary>
public enum VectorStorage
{
    Float32,
    Float16,
    BFloat16,
}
