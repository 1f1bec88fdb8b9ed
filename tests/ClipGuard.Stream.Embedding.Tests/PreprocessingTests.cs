using ClipGuard.Stream.Embedding.Preprocessing;
using TorchSharp;
using TorchSharp.PyBridge;

namespace ClipGuard.Stream.Embedding.Tests;

/// <summary>Against Fixtures/make_preprocess_fixtures.py: Pillow decode + a float64 version of OpenCLIP's transform.</summary>
public sealed class PreprocessingTests
{
    private static readonly Lazy<Dictionary<string, torch.Tensor>> Expected =
        new(() => Safetensors.LoadStateDict(TestPaths.Fixture("images", "expected.safetensors")));

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "mosaic.jpg", "item0-gray.png", "tall-rgba.png", "strip.webp", "anim.gif" })
        {
            data.Add(name, 64);
            data.Add(name, 48);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pixels_match_the_float64_reference_within_1e_3(string name, int size)
    {
        var pixels = new ImagePreprocessor().Preprocess(File.ReadAllBytes(TestPaths.Fixture("images", name)), size);
        var expected = Expected.Value[$"{name}/{size}"].data<float>().ToArray();
        Assert.Equal(expected.Length, pixels.Length);
        double worst = expected.Zip(pixels, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-3, $"{name} at {size}: max |diff| {worst:E3}");
    }

    [Theory]
    [InlineData("mosaic.jpg")]
    [InlineData("item0-gray.png")]
    [InlineData("tall-rgba.png")]
    [InlineData("strip.webp")]
    [InlineData("anim.gif")]
    public void Decoded_rgb_equals_pillows_decode(string name)
    {
        var (rgba, w, h) = new ImagePreprocessor().Decode(File.ReadAllBytes(TestPaths.Fixture("images", name)));
        var expected = Expected.Value[name + "/decoded"];
        Assert.Equal([(long)h, w, 3], expected.shape);
        var rgb = expected.data<byte>().ToArray();
        int worst = 0;
        for (int i = 0; i < w * h; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                worst = Math.Max(worst, Math.Abs(rgba[i * 4 + c] - rgb[i * 3 + c]));
            }
        }

        Assert.Equal(0, worst);
    }
}
