namespace ClipGuard.Stream.Lab.Data;

/// <summary>Fashion-MNIST (Xiao et al. 2017) as Debian's <c>dataset-fashion-mnist</c> installs it: 28x28 grayscale, 10 classes.</summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The images' width and height in pixels.</summary>
    public const int Side = 28;

    /// <summary>Class names in label order, as the dataset's authors name them (lower case, for captions).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    /// <summary>The 60,000-image training split or the 10,000-image test split.</summary>
    public static ImageSet Load(string directory, bool train)
    {
        string prefix = train ? "train" : "t10k";
        string images = Find(directory, $"{prefix}-images-idx3-ubyte");
        string labels = Find(directory, $"{prefix}-labels-idx1-ubyte");
        var (imageShape, pixels) = IdxReader.Read(images);
        var (labelShape, classes) = IdxReader.Read(labels);
        if (imageShape.Length != 3 || labelShape.Length != 1 || imageShape[0] != labelShape[0])
        {
            throw new InvalidDataException(
                $"{images} and {labels}: expected N x H x W images and N labels, found [{string.Join(", ", imageShape)}] and [{string.Join(", ", labelShape)}]");
        }

        int bad = Array.FindIndex(classes, c => c >= ClassNames.Count);
        if (bad >= 0)
        {
            throw new InvalidDataException($"{labels}: label {classes[bad]} at row {bad} is not one of the {ClassNames.Count} classes");
        }

        return new ImageSet(pixels, classes, width: imageShape[2], height: imageShape[1]);
    }

    private static string Find(string directory, string stem)
    {
        foreach (string candidate in new[] { stem + ".gz", stem })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"{Path.Combine(directory, stem)}(.gz) not found: install Debian's dataset-fashion-mnist (scripts/install-deps.sh run) or pass the directory that holds it");
    }
}
