using ClipGuard.Stream.Embedding.Checkpoints;
using TorchSharp;
using TorchSharp.PyBridge;

namespace ClipGuard.Stream.Embedding.Tests;

/// <summary>
/// Our float32 towers against Fixtures/make_parity.py: an independent float64 forward pass (Debian python3-torch)
/// over the same weights, which that script drew and saved in Python-written files.
/// </summary>
public sealed class ParityTests
{
    private const double RelativeTolerance = 1e-4;

    [Theory]
    [InlineData("tiny-rn", ".pt")]
    [InlineData("tiny-vit", ".safetensors")]
    [InlineData("tiny-vit-quickgelu", ".pt")]
    public void Image_and_text_embeddings_match_the_float64_reference(string name, string ext) =>
        AssertMatchesReference(name, new ModelSource(TestPaths.Fixture("parity", name + ext), TestPaths.Model(name)));

    /// <summary>
    /// The same reference on a CUDA device, where libtorch sees one (skipped elsewhere, so on every CI machine): the
    /// CUDA kernels, not only the CPU ones, must reproduce OpenCLIP's forward pass. cuDNN may use TF32 for the
    /// ResNet's convolutions, so the bar there is TF32's rounding (10-bit mantissa), not float32's.
    /// </summary>
    [Theory]
    [InlineData("tiny-rn", ".pt", 2e-3)]
    [InlineData("tiny-vit", ".safetensors", 1e-4)]
    [InlineData("tiny-vit-quickgelu", ".pt", 1e-4)]
    public void On_a_cuda_device_image_and_text_embeddings_match_the_float64_reference(string name, string ext, double tolerance)
    {
        if (!torch.cuda.is_available())
        {
            Assert.Skip("libtorch sees no CUDA device");
        }

        AssertMatchesReference(name, new ModelSource(TestPaths.Fixture("parity", name + ext), TestPaths.Model(name)), "cuda", tolerance);
    }

    [Fact]
    public void An_openclip_hub_folder_with_both_weight_files_loads_the_safetensors_and_matches_the_reference()
    {
        // The hub layout holds open_clip_model.safetensors and open_clip_pytorch_model.bin. Here the .bin is a
        // different model (tiny-rn), which the tiny-vit config would refuse: a match proves the safetensors was read.
        var dir = TestPaths.TempDir();
        try
        {
            File.Copy(TestPaths.Fixture("parity", "tiny-vit.safetensors"), Path.Combine(dir, "open_clip_model.safetensors"));
            File.Copy(TestPaths.Fixture("parity", "tiny-rn.pt"), Path.Combine(dir, "open_clip_pytorch_model.bin"));
            File.Copy(TestPaths.Model("tiny-vit"), Path.Combine(dir, "open_clip_config.json"));
            AssertMatchesReference("tiny-vit", ModelSource.FromDirectory(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertMatchesReference(string name, ModelSource source, string device = "cpu", double tolerance = RelativeTolerance)
    {
        using var embedder = ClipEmbedder.Load(source, new EmbedderOptions { Normalize = false, Device = device });
        Assert.StartsWith(device, embedder.DeviceName, StringComparison.OrdinalIgnoreCase);
        var io = Safetensors.LoadStateDict(TestPaths.Fixture("parity", name + ".io.safetensors"));
        try
        {
            var images = Rows(io["images"].flatten(1).to(torch.ScalarType.Float32));
            var tokens = io["tokens"].to(torch.ScalarType.Int32);
            var tokenRows = Enumerable.Range(0, (int)tokens.shape[0]).Select(i => tokens[i].data<int>().ToArray()).ToArray();

            AssertClose(Rows64(io["expected_image"]), embedder.EncodeImages(images), "image", tolerance);
            AssertClose(Rows64(io["expected_text"]), embedder.EncodeTokens(tokenRows), "text", tolerance);
        }
        finally
        {
            foreach (var t in io.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void Openclip_training_checkpoint_with_ddp_prefix_and_float16_weights_loads()
    {
        // make_training_checkpoint.py: {"epoch", "name", "state_dict": {"module." + key: float16}} as OpenCLIP's
        // training loop saves it. Float16 weights cost precision, so the bar is the float16 rounding, not 1e-4.
        var config = TestPaths.Model("tiny-vit-quickgelu");
        using var plain = ClipEmbedder.Load(new ModelSource(TestPaths.Fixture("parity", "tiny-vit-quickgelu.pt"), config));
        using var wrapped = ClipEmbedder.Load(new ModelSource(TestPaths.Fixture("parity", "tiny-vit-quickgelu.epoch_3.pt"), config));
        var images = TestInputs.Images(2, 32, seed: 4);
        var a = plain.EncodeImages(images);
        var b = wrapped.EncodeImages(images);
        for (int i = 0; i < a.Length; i++)
        {
            double cos = a[i].Zip(b[i], (x, y) => (double)x * y).Sum() / Math.Sqrt(a[i].Sum(x => (double)x * x) * b[i].Sum(y => (double)y * y));
            Assert.InRange(cos, 0.999, 1.0 + 1e-6);
        }

        Assert.NotEqual(plain.Version, wrapped.Version);
    }

    private static void AssertClose(double[][] expected, float[][] actual, string tower, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = expected[i].Max(Math.Abs);
            double worst = expected[i].Zip(actual[i], (e, a) => Math.Abs(e - a)).Max();
            Assert.True(scale > 1e-3, $"{tower} {i}: degenerate reference embedding");
            Assert.True(worst <= tolerance * scale, $"{tower} {i}: max |diff| {worst:E3} > {tolerance:E0} x max |ref| {scale:E3}");
        }
    }

    private static float[][] Rows(torch.Tensor t) =>
        Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].data<float>().ToArray()).ToArray();

    private static double[][] Rows64(torch.Tensor t) =>
        Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].contiguous().data<double>().ToArray()).ToArray();
}
