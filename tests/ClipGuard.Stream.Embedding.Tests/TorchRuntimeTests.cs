using TorchSharp;
using static TorchSharp.torch;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Matmul_runs_in_the_patched_native_library_and_matches_a_hand_computed_product()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        var c = matmul(a, b).data<float>().ToArray();
        // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154]
        Assert.Equal([58f, 64f, 139f, 154f], c);
    }
}
