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

/// <summary>
/// The embedder's device: CPU by default; CUDA is refused with what to do in the default build, which links
/// libtorch-cpu (the CUDA build, -p:ClipGuardCuda=true, has never run on this project's machines).
/// </summary>
public sealed class EmbedderDeviceTests
{
    [Fact]
    public void Cpu_is_the_default_and_cuda_in_the_cpu_build_is_refused_with_the_build_switch_named()
    {
        Assert.Equal(DeviceType.CPU, ClipEmbedder.DeviceOf(null).type);
        Assert.Equal(DeviceType.CPU, ClipEmbedder.DeviceOf(" CPU ").type);
        Assert.False(torch.cuda.is_available());
        foreach (string cuda in new[] { "cuda", "cuda:0", "CUDA:1" })
        {
            var refused = Assert.Throws<InvalidOperationException>(() => ClipEmbedder.DeviceOf(cuda));
            Assert.Contains("-p:ClipGuardCuda=true", refused.Message, StringComparison.Ordinal);
        }

        foreach (string bad in new[] { "tpu", "cuda:", "cuda:-1", "cuda:x", "gpu" })
        {
            Assert.Throws<ArgumentException>(() => ClipEmbedder.DeviceOf(bad));
        }
    }
}
