namespace ClipGuard.Stream.Lab.Data;

/// <summary>
/// Caption templates for class names: training draws one per pair per epoch, zero-shot classification averages the
/// text embeddings of all of them per class (CLIP's prompt ensembling).
/// </summary>
public static class Captions
{
    public static IReadOnlyList<string> Templates { get; } =
    [
        "a photo of a {0}.",
        "a picture of a {0}.",
        "a product photo of a {0}.",
        "an image of a {0}.",
        "a black and white photo of a {0}.",
        "a low resolution photo of a {0}.",
        "a close-up photo of the {0}.",
        "a photo of the {0}, for sale.",
    ];

    /// <summary>Caption number <c>classId * Templates.Count + template</c>: every class with every template.</summary>
    public static IReadOnlyList<string> All(IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        return [.. classNames.SelectMany(name => Templates.Select(t => string.Format(System.Globalization.CultureInfo.InvariantCulture, t, name)))];
    }
}
