using SkiaSharp;

namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>Photo-sized JPEGs with gradients, shapes and noise, so decode benchmarks do not depend on a data set.</summary>
public static class SyntheticImages
{
    public static byte[] Jpeg(int width, int height, int seed, int quality = 90)
    {
        var rng = new Random(seed);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                   [RandomColor(rng), RandomColor(rng), RandomColor(rng)], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader })
        {
            canvas.DrawRect(0, 0, width, height, paint);
        }

        using (var paint = new SKPaint { IsAntialias = true })
        {
            for (int i = 0; i < 24; i++)
            {
                paint.Color = RandomColor(rng).WithAlpha((byte)rng.Next(80, 255));
                canvas.DrawCircle(rng.Next(width), rng.Next(height), rng.Next(8, Math.Max(9, width / 6)), paint);
            }
        }

        // Sensor-like noise makes the JPEG as expensive to decode as a photograph of the same size.
        using var snapshot = surface.Snapshot();
        using var bitmap = SKBitmap.FromImage(snapshot);
        var pixels = bitmap.Pixels;
        for (int i = 0; i < pixels.Length; i++)
        {
            int n = rng.Next(-12, 13);
            var c = pixels[i];
            pixels[i] = new SKColor(Clamp(c.Red + n), Clamp(c.Green + n), Clamp(c.Blue + n));
        }

        bitmap.Pixels = pixels;
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    private static SKColor RandomColor(Random rng) => new((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
