using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>
/// Draws a scene as RGB pixels (row-major, 3 bytes a pixel): the textured background, then each Fashion-MNIST item
/// resized bilinearly to its size, tinted (its intensity is the tint's opacity over the background) and placed in its
/// cell. Pure: safe to call from several threads.
/// </summary>
public sealed class SceneRenderer(SceneOptions options, ImageSet items)
{
    public const int Channels = 3;

    public byte[] Render(Scene scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        int side = options.Size;
        var rgb = new byte[side * side * Channels];
        Background(rgb, scene.Background, scene.Texture);
        int cell = side / options.Grid;
        foreach (SceneItem item in scene.Items)
        {
            int itemSide = Math.Max(8, (int)Math.Round(cell * SceneVocabulary.Sizes[item.Size].Fraction));
            int slack = cell - itemSide;
            int left = (item.Col * cell) + Math.Min(slack, (int)(item.JitterX * (slack + 1)));
            int top = (item.Row * cell) + Math.Min(slack, (int)(item.JitterY * (slack + 1)));
            Draw(rgb, items.Image(item.Image), SceneVocabulary.Tints[item.Tint].Color, left, top, itemSide);
        }

        return rgb;
    }

    private void Background(Span<byte> rgb, int background, int texture)
    {
        int side = options.Size;
        Rgb color = SceneVocabulary.Backgrounds[background].Color;
        Rgb shade = new((byte)(color.R * 0.7), (byte)(color.G * 0.7), (byte)(color.B * 0.7));
        int period = Math.Max(4, side / 8);
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                bool alternate = texture switch
                {
                    1 => x % period < period / 2,
                    2 => Square(x % period - (period / 2)) + Square(y % period - (period / 2)) <= Square(period / 4),
                    3 => ((x / period) + (y / period)) % 2 == 1,
                    _ => false,
                };
                Put(rgb, (y * side) + x, alternate ? shade : color);
            }
        }
    }

    private void Draw(Span<byte> rgb, ReadOnlySpan<byte> gray, Rgb tint, int left, int top, int itemSide)
    {
        int side = options.Size;
        double scale = (double)items.Width / itemSide;
        for (int y = 0; y < itemSide; y++)
        {
            for (int x = 0; x < itemSide; x++)
            {
                double a = Bilinear.Sample(gray, items.Width, items.Height, 1, 0, ((x + 0.5) * scale) - 0.5, ((y + 0.5) * scale) - 0.5) / 255;
                int at = (((top + y) * side) + left + x) * Channels;
                for (int c = 0; c < Channels; c++)
                {
                    rgb[at + c] = (byte)Math.Round(((1 - a) * rgb[at + c]) + (a * tint.Channel(c, Channels)));
                }
            }
        }
    }

    private static void Put(Span<byte> rgb, int pixel, Rgb color)
    {
        rgb[pixel * Channels] = color.R;
        rgb[(pixel * Channels) + 1] = color.G;
        rgb[(pixel * Channels) + 2] = color.B;
    }

    private static int Square(int v) => v * v;
}
