using ClipGuard.Stream.Embedding.Preprocessing;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class ImageRejectionTests
{
    private static byte[] Fixture(string name) => File.ReadAllBytes(TestPaths.Fixture("images", name));

    [Fact]
    public void Empty_input_is_rejected_as_empty() => AssertRejected([], ImageRejectReason.Empty);

    [Fact]
    public void Random_bytes_are_rejected_as_corrupt()
    {
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        AssertRejected(bytes, ImageRejectReason.Corrupt);
    }

    [Theory]
    [InlineData("mosaic.jpg")]
    [InlineData("tall-rgba.png")]
    public void Image_cut_in_half_is_rejected_as_truncated(string name)
    {
        var bytes = Fixture(name);
        AssertRejected(bytes[..(bytes.Length / 2)], ImageRejectReason.Truncated);
    }

    [Fact]
    public void Header_declaring_more_pixels_than_the_limit_is_rejected_before_decoding()
    {
        var e = AssertRejected(Fixture("bomb.png"), ImageRejectReason.TooManyPixels);
        Assert.Contains("50000x50000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_pixels_option_applies_to_ordinary_images()
    {
        var small = new ImagePreprocessor(new PreprocessOptions { MaxPixels = 168 * 112 - 1 });
        var e = Assert.Throws<ImageRejectedException>(() => small.Preprocess(Fixture("mosaic.jpg"), 32));
        Assert.Equal(ImageRejectReason.TooManyPixels, e.Reason);
        Assert.Equal(32 * 32 * 3, new ImagePreprocessor(new PreprocessOptions { MaxPixels = 168 * 112 }).Preprocess(Fixture("mosaic.jpg"), 32).Length);
    }

    [Fact]
    public void Zero_width_header_is_rejected()
    {
        var e = Assert.Throws<ImageRejectedException>(() => new ImagePreprocessor().Preprocess(Fixture("zero-width.png"), 32));
        Assert.Equal(ImageRejectReason.ZeroSize, e.Reason);
    }

    [Fact]
    public void Extreme_aspect_ratio_is_rejected_instead_of_resizing_to_billions_of_pixels()
    {
        const int height = 10_000_000;   // 1 x 10M passes the default max-pixels limit; at 224 it would be 224 x 2.24e9
        var e = Assert.Throws<ImageRejectedException>(() => ImagePreprocessor.ResizeCropNormalize(new byte[4 * height], 1, height, 224));
        Assert.Equal(ImageRejectReason.TooManyPixels, e.Reason);
        Assert.Contains("aspect ratio", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Formats_outside_jpeg_png_webp_gif_are_refused()
    {
        AssertRejected(Fixture("unsupported.bmp"), ImageRejectReason.UnsupportedFormat);
    }

    private static ImageRejectedException AssertRejected(byte[] bytes, ImageRejectReason reason)
    {
        var e = Assert.Throws<ImageRejectedException>(() => new ImagePreprocessor().Preprocess(bytes, 32));
        Assert.Equal(reason, e.Reason);
        return e;
    }
}
