using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Tokenization;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// CLIP zero-shot classification with prompt ensembling: each class is the normalised mean of its captions' text
/// embeddings under every template; an image takes the class of highest cosine similarity.
/// </summary>
public sealed class ZeroShot
{
    private readonly float[][] _classes;

    public ZeroShot(ClipEmbedder embedder, ClipTokenizer tokenizer, IReadOnlyList<string> classNames)
        : this(embedder, tokenizer, Captions.All(classNames ?? throw new ArgumentNullException(nameof(classNames))), Captions.Templates.Count)
    {
    }

    /// <summary>Classes from their prompts, class-major: prompts [c · perClass, (c + 1) · perClass) describe class c.</summary>
    public ZeroShot(ClipEmbedder embedder, ClipTokenizer tokenizer, IReadOnlyList<string> prompts, int promptsPerClass)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfLessThan(promptsPerClass, 1);
        int t = promptsPerClass;
        float[][] texts = embedder.EncodeTexts(prompts, tokenizer);
        _classes = new float[texts.Length / t][];
        for (int c = 0; c < _classes.Length; c++)
        {
            var mean = new float[embedder.EmbedDim];
            for (int j = 0; j < t; j++)
            {
                float[] e = Unit(texts[(c * t) + j]);
                for (int d = 0; d < mean.Length; d++)
                {
                    mean[d] += e[d];
                }
            }

            _classes[c] = Unit(mean);
        }
    }

    public int Predict(ReadOnlySpan<float> imageEmbedding)
    {
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < _classes.Length; c++)
        {
            double s = System.Numerics.Tensors.TensorPrimitives.Dot(imageEmbedding, _classes[c]);
            if (s > bestScore)
            {
                (best, bestScore) = (c, s);
            }
        }

        return best;
    }

    /// <summary>Clean accuracy on <paramref name="test"/>, and the attack success rate: the share of triggered test
    /// images of other classes that are classified as <paramref name="targetClass"/>.</summary>
    public (double Accuracy, double Asr, int AsrImages) Evaluate(ClipEmbedder embedder, ImageSet test, TriggerSpec trigger, int targetClass, ILabReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(trigger);
        float[][] clean = SetEmbedder.Embed(embedder, test, reporter, "embed test (clean)");
        int correct = Enumerable.Range(0, test.Count).Count(i => Predict(clean[i]) == test.Labels[i]);
        int[] others = [.. Enumerable.Range(0, test.Count).Where(i => test.Labels[i] != targetClass)];
        ImageSet triggered = test.Subset(others);
        ITrigger stamp = trigger.Create();
        for (int j = 0; j < triggered.Count; j++)
        {
            stamp.Apply(triggered.Pixels.AsSpan(j * triggered.ImageBytes, triggered.ImageBytes), triggered.Width, triggered.Height, others[j]);
        }

        float[][] attacked = SetEmbedder.Embed(embedder, triggered, reporter, "embed test (triggered)");
        int hits = attacked.Count(e => Predict(e) == targetClass);
        return ((double)correct / test.Count, others.Length == 0 ? 0 : (double)hits / others.Length, others.Length);
    }

    private static float[] Unit(float[] v)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        return norm > 0 ? [.. v.Select(x => x / norm)] : v;
    }
}
