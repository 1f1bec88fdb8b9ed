using TorchSharp;
using static TorchSharp.torch;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>
/// Long-lived TorchSharp Scalars for forward passes. TorchSharp's <c>a + b</c> is <c>a.add(b, 1)</c>, and <c>a * 1.702</c>
/// converts the number the same way: into a temporary Scalar whose only reference is gone once its native handle has been
/// read, so the GC may finalize (free) it while libtorch is still reading it. That surfaced in the lab's stream runs as
/// "Expected false to be true ... toFloat at c10/core/Scalar.h:140" from <c>add_Tensor</c> (2 of 72 runs of
/// <c>clipguard run --model</c> stopped). Static Scalars are never collected.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>QuickGELU's slope: x·σ(1.702x).</summary>
    public static readonly Scalar QuickGeluSlope = 1.702.ToScalar();

    /// <summary><c>left + right</c> without a temporary Scalar.</summary>
    public static Tensor Plus(this Tensor left, Tensor right) => left.add(right, One);
}
