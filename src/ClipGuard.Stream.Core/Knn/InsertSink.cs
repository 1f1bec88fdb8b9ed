using System.Runtime.CompilerServices;

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
}
