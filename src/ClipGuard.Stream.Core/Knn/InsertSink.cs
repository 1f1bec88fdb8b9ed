using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>One pass over the references for inserts: each new point's own nearest, and the members it may enter.</summary>
internal struct InsertSink(TopKSink top, ReverseCandidateSink reverse) : ITileSink
{
    public TopKSink Top = top;
    public ReverseCandidateSink Reverse = reverse;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Accept(int query, int slot, double approxSquared)
    {
        Top.Accept(query, slot, approxSquared);
        Reverse.Accept(query, slot, approxSquared);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint MayAccept(int queryBase, int slot, Vector512<double> low, Vector512<double> high) =>
        Top.MayAccept(queryBase, slot, low, high) | Reverse.MayAccept(queryBase, slot, low, high);
}
