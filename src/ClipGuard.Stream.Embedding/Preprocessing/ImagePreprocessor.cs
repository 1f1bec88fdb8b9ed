using SkiaSharp;

namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>
/// Encoded image bytes to CLIP input, as OpenCLIP's eval transform: decode (Skia), RGB, resize the shorter side to
/// the model size with antialiased bicubic, centre-crop, scale to [0, 1], normalise with OpenCLIP's mean and std.
/// Only the cropped window is resampled. Like OpenCLIP, EXIF orientation and ICC profiles are not applied.
/// Thread-safe: no state beyond the options.
/// </summary>
public sealed class ImagePreprocessor(PreprocessOptions options)
{
    // Bound on the virtual resized image (never allocated: only the crop is computed); beyond it the aspect ratio
    // is absurd and OpenCLIP itself would exhaust memory.
    private const double MaxResizedPixels = 1L << 31;

    public ImagePreprocessor() : this(new PreprocessOptions()) { }

    /// <summary>3 x size x size floats in CHW order, or <see cref="ImageRejectedException"/> with a reason.</summary>
    public float[] Preprocess(ReadOnlySpan<byte> encoded, int size)
    {
        var (rgba, width, height) = Decode(encoded);
        return ResizeCropNormalize(rgba, width, height, size);
    }

    /// <summary>Decodes to unpremultiplied RGBA8888 (first frame of an animation) after checking format and size.</summary>
    public (byte[] Rgba, int Width, int Height) Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageRejectedException(ImageRejectReason.Empty, "image has no bytes");
        }

        if (ImageHeader.DeclaredSize(encoded) is { } declared && (declared.Width == 0 || declared.Height == 0))
        {
            throw new ImageRejectedException(ImageRejectReason.ZeroSize, $"image declares {declared.Width}x{declared.Height} pixels");
        }

        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var createResult);
        if (codec is null)
        {
            throw new ImageRejectedException(ImageRejectReason.Corrupt, $"no decoder recognises the image ({createResult})");
        }

        if (codec.EncodedFormat is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Webp or SKEncodedImageFormat.Gif))
        {
            throw new ImageRejectedException(ImageRejectReason.UnsupportedFormat, $"{codec.EncodedFormat} images are not accepted (JPEG, PNG, WebP, GIF are)");
        }

        int w = codec.Info.Width, h = codec.Info.Height;
        if (w <= 0 || h <= 0)
        {
            throw new ImageRejectedException(ImageRejectReason.ZeroSize, $"image declares {w}x{h} pixels");
        }

        if ((long)w * h > options.MaxPixels)
        {
            throw new ImageRejectedException(ImageRejectReason.TooManyPixels, $"image declares {w}x{h} = {(long)w * h} pixels, over the limit of {options.MaxPixels}");
        }

        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize64];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba)
            {
                result = codec.GetPixels(info, (IntPtr)p);
            }
        }

        return result switch
        {
            SKCodecResult.Success => (rgba, w, h),
            // Skia fills the missing rows and reports it; a partly grey image would embed as something else.
            SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput =>
                throw new ImageRejectedException(ImageRejectReason.Truncated, $"image data ends early or is damaged ({result})"),
            _ => throw new ImageRejectedException(ImageRejectReason.Corrupt, $"decoding failed ({result})"),
        };
    }

    /// <summary>The resize/crop/normalise half, on already decoded RGBA8888 pixels.</summary>
    public static float[] ResizeCropNormalize(byte[] rgba, int width, int height, int size)
    {
        ArgumentNullException.ThrowIfNull(rgba);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        // torchvision's Resize(int): the shorter side becomes `size`, the longer one int(size * long / short).
        long newW, newH;
        if (width <= height)
        {
            newW = size;
            newH = (long)((double)size * height / width);
        }
        else
        {
            newH = size;
            newW = (long)((double)size * width / height);
        }

        // A 1 x 80M-pixel strip passes the max-pixels check but would resize to 224 x 18 billion in OpenCLIP.
        if (newW * (double)newH > MaxResizedPixels)
        {
            throw new ImageRejectedException(ImageRejectReason.TooManyPixels,
                $"a {width}x{height} image resizes to {newW}x{newH} at size {size}; the aspect ratio is too extreme");
        }

        // torchvision's CenterCrop rounds the offsets half-to-even (Python's round), as Math.Round does.
        long top = (long)Math.Round((newH - size) / 2.0);
        long left = (long)Math.Round((newW - size) / 2.0);

        var (xStart, xWeights) = BicubicResampler.Coefficients(width, newW, left, size);
        var (yStart, yWeights) = BicubicResampler.Coefficients(height, newH, top, size);

        // Horizontal pass over the input rows the crop window needs, for the crop's columns only.
        int rowLo = yStart[0], rowHi = yStart[size - 1] + yWeights[size - 1].Length;
        var horizontal = new float[(rowHi - rowLo) * size * 3];
        for (int y = rowLo; y < rowHi; y++)
        {
            int src = y * width * 4;
            int dst = (y - rowLo) * size * 3;
            for (int ox = 0; ox < size; ox++)
            {
                var wts = xWeights[ox];
                int x0 = xStart[ox];
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < wts.Length; k++)
                {
                    int p = src + (x0 + k) * 4;
                    r += wts[k] * rgba[p];
                    g += wts[k] * rgba[p + 1];
                    b += wts[k] * rgba[p + 2];
                }

                horizontal[dst + ox * 3] = Clamp255(r);
                horizontal[dst + ox * 3 + 1] = Clamp255(g);
                horizontal[dst + ox * 3 + 2] = Clamp255(b);
            }
        }

        var output = new float[3 * size * size];
        int plane = size * size;
        var scale = new float[3];
        var shift = new float[3];
        for (int c = 0; c < 3; c++)
        {
            // (v / 255 - mean) / std folded into one multiply-add.
            scale[c] = (float)(1.0 / (255.0 * PreprocessOptions.Std[c]));
            shift[c] = (float)(-PreprocessOptions.Mean[c] / PreprocessOptions.Std[c]);
        }

        for (int oy = 0; oy < size; oy++)
        {
            var wts = yWeights[oy];
            int y0 = yStart[oy] - rowLo;
            for (int ox = 0; ox < size; ox++)
            {
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < wts.Length; k++)
                {
                    int p = ((y0 + k) * size + ox) * 3;
                    r += wts[k] * horizontal[p];
                    g += wts[k] * horizontal[p + 1];
                    b += wts[k] * horizontal[p + 2];
                }

                int at = oy * size + ox;
                output[at] = Clamp255(r) * scale[0] + shift[0];
                output[plane + at] = Clamp255(g) * scale[1] + shift[1];
                output[2 * plane + at] = Clamp255(b) * scale[2] + shift[2];
            }
        }

        return output;
    }

    // Pillow clips each pass to the 8-bit range (bicubic overshoots at edges); we clip likewise but keep the fraction.
    private static float Clamp255(float v) => Math.Clamp(v, 0f, 255f);
}
