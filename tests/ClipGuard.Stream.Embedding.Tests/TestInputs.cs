using ClipGuard.Stream.Embedding.Model;
using TorchSharp;

namespace ClipGuard.Stream.Embedding.Tests;

internal static class TestInputs
{
    public static float[][] Images(int count, int size, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 3 * size * size).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray()).ToArray();
    }

    /// <summary>Rows shaped like tokenizer output: start, random ids, the largest id as end-of-text, zero padding.</summary>
    public static int[][] Tokens(int count, int context, int vocab, int seed)
    {
        var rng = new Random(seed);
        var rows = new int[count][];
        for (int i = 0; i < count; i++)
        {
            rows[i] = new int[context];
            int length = 2 + rng.Next(context - 2);
            rows[i][0] = vocab - 2;
            for (int j = 1; j < length - 1; j++)
            {
                rows[i][j] = 1 + rng.Next(vocab - 3);
            }

            rows[i][length - 1] = vocab - 1;
        }

        return rows;
    }

    /// <summary>BatchNorm buffers start at mean 0 / var 1; give them values so a loader that skipped them would show.</summary>
    public static void RandomizeBatchNormStatistics(ClipModel model)
    {
        using var noGrad = torch.no_grad();
        foreach (var (key, t) in model.state_dict())
        {
            if (key.EndsWith(".running_mean", StringComparison.Ordinal))
            {
                t.copy_(torch.randn(t.shape) * 0.1);
            }
            else if (key.EndsWith(".running_var", StringComparison.Ordinal))
            {
                t.copy_(torch.rand(t.shape) + 0.5);
            }
        }
    }
}
