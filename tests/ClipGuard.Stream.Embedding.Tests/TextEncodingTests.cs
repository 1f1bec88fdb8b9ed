using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Tokenization;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class TextEncodingTests
{
    [Fact]
    public void Captions_are_tokenized_at_the_models_context_length_and_embedded_normalised()
    {
        var tokenizer = ClipTokenizer.LoadDefault();
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(TestPaths.Model("tiny-full-vocab")), "tiny-full-vocab", seed: 5);
        var e = embedder.EncodeTexts(["a photo of a cat", "a photo of a dog", "A  photo of a CAT"], tokenizer);
        Assert.Equal(8, e[0].Length);
        Assert.NotEqual(e[0], e[1]);
        // Clean-up and lower-casing give the same ids, hence the same embedding.
        Assert.Equal(e[0], e[2]);
        // Normalised by default.
        Assert.Equal(1.0, Math.Sqrt(e[0].Sum(x => (double)x * x)), 5);
    }

    [Fact]
    public void Causal_mask_keeps_tokens_after_the_end_token_out_of_the_embedding()
    {
        var tokenizer = ClipTokenizer.LoadDefault();
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(TestPaths.Model("tiny-full-vocab")), "tiny-full-vocab", seed: 5);
        var row = tokenizer.Tokenize("a birthday cake");
        var noisy = row.ToArray();
        int eot = Array.IndexOf(row, ClipTokenizer.EndOfText);
        for (int i = eot + 1; i < noisy.Length; i++)
        {
            noisy[i] = 500 + i;   // anything but padding, still below the end-of-text id
        }

        var e = embedder.EncodeTokens([row, noisy]);
        Assert.All(e[0].Zip(e[1]), p => Assert.Equal(p.First, p.Second, 1e-6f));
        // The same change before the end token does reach the embedding.
        var early = row.ToArray();
        early[1] = 500;
        Assert.NotEqual(e[0], embedder.EncodeTokens([early])[0]);
    }

    [Fact]
    public void Tokenizer_and_model_vocabularies_must_agree()
    {
        using var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(TestPaths.Model("tiny-vit")), "tiny-vit", seed: 5);
        Assert.Throws<ArgumentException>(() => embedder.EncodeTexts(["cat"], ClipTokenizer.LoadDefault()));
    }
}
