using ClipGuard.Stream.Embedding.Preprocessing;

namespace ClipGuard.Stream.Embedding.Training;

/// <summary>
/// A decoded training set held in memory: per pair the model-size image as bytes (<see cref="PixelQuantizer"/>) and
/// its caption, captions interned so that pairs sharing a caption share one token row. Batches come out in the shape
/// <see cref="ContrastiveTrainer.Step"/> takes, identical captions merged (they must not be each other's negatives).
/// Adding is not thread-safe; reading is.
/// </summary>
public sealed class TrainingPairs(int imageSize, int contextLength)
{
    private readonly List<byte[]> _pixels = [];
    private readonly List<int> _captionOfPair = [];
    private readonly List<int[]> _tokens = [];
    private readonly Dictionary<string, int> _captionIds = new(StringComparer.Ordinal);

    public int ImageSize { get; } = imageSize;

    public int ContextLength { get; } = contextLength;

    public int Count => _pixels.Count;

    public int DistinctCaptions => _tokens.Count;

    /// <summary>Adds a pair; <paramref name="tokenize"/> runs once per distinct caption and must give ContextLength ids.</summary>
    public void Add(byte[] pixels, string caption, Func<string, int[]> tokenize)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(caption);
        ArgumentNullException.ThrowIfNull(tokenize);
        if (pixels.Length != 3 * ImageSize * ImageSize)
        {
            throw new ArgumentException($"pair has {pixels.Length} pixel values, expected 3x{ImageSize}x{ImageSize}", nameof(pixels));
        }

        if (!_captionIds.TryGetValue(caption, out int id))
        {
            int[] tokens = tokenize(caption);
            if (tokens.Length != ContextLength)
            {
                throw new ArgumentException($"caption tokenized to {tokens.Length} ids, expected {ContextLength}", nameof(tokenize));
            }

            id = _tokens.Count;
            _tokens.Add(tokens);
            _captionIds[caption] = id;
        }

        _pixels.Add(pixels);
        _captionOfPair.Add(id);
    }

    /// <summary>The model input of one pair's image (3 x S x S normalised floats).</summary>
    public float[] Image(int row)
    {
        var floats = new float[3 * ImageSize * ImageSize];
        PixelQuantizer.ToFloats(_pixels[row], floats);
        return floats;
    }

    /// <summary>The token row of one pair's caption.</summary>
    public int[] CaptionTokens(int row) => _tokens[_captionOfPair[row]];

    /// <summary>One training step's input: images back to back, the batch's distinct captions, each image's caption row.</summary>
    public (float[] Pixels, List<int[]> Captions, int[] CaptionOfImage) Batch(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int per = 3 * ImageSize * ImageSize;
        var pixels = new float[rows.Count * per];
        var rowOfCaption = new Dictionary<int, int>();
        var captions = new List<int[]>();
        var captionOfImage = new int[rows.Count];
        for (int j = 0; j < rows.Count; j++)
        {
            PixelQuantizer.ToFloats(_pixels[rows[j]], pixels.AsSpan(j * per, per));
            int caption = _captionOfPair[rows[j]];
            if (!rowOfCaption.TryGetValue(caption, out int row))
            {
                row = captions.Count;
                rowOfCaption[caption] = row;
                captions.Add(_tokens[caption]);
            }

            captionOfImage[j] = row;
        }

        return (pixels, captions, captionOfImage);
    }
}
