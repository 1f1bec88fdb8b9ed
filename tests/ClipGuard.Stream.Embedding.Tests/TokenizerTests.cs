using System.Text.Json;
using ClipGuard.Stream.Embedding.Tokenization;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class TokenizerTests
{
    private static readonly ClipTokenizer Tokenizer = ClipTokenizer.LoadDefault();

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Cases.Value.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static readonly Lazy<Case[]> Cases = new(() =>
        JsonSerializer.Deserialize<Case[]>(File.ReadAllText(TestPaths.Fixture("tokenizer", "cases.json")), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!);

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Ids_equal_the_independent_python_reference(int index)
    {
        var c = Cases.Value[index];
        Assert.Equal(c.Ids, Tokenizer.Tokenize(c.Text));
    }

    [Fact]
    public void Fixture_set_covers_at_least_thirty_strings_and_some_truncate()
    {
        Assert.True(Cases.Value.Length >= 30);
        Assert.Contains(Cases.Value, c => c.Ids[^1] == ClipTokenizer.EndOfText);
    }

    [Fact]
    public void Vocabulary_has_clips_size_and_known_ids()
    {
        Assert.Equal(49408, Tokenizer.VocabularySize);
        // "a photo of a cat" is the example in CLIP's README; these ids are the ones it prints.
        Assert.Equal([49406, 320, 1125, 539, 320, 2368, 49407, 0], Tokenizer.Tokenize("a photo of a cat")[..8]);
    }

    [Fact]
    public void Long_text_is_truncated_with_end_of_text_kept_last()
    {
        var row = Tokenizer.Tokenize(string.Join(' ', Enumerable.Repeat("birthday cake", 100)));
        Assert.Equal(77, row.Length);
        Assert.Equal(ClipTokenizer.StartOfText, row[0]);
        Assert.Equal(ClipTokenizer.EndOfText, row[76]);
        Assert.DoesNotContain(0, row);
    }

    [Fact]
    public void Custom_context_length_pads_with_zeros()
    {
        var row = Tokenizer.Tokenize("cat", contextLength: 8);
        Assert.Equal([49406, 2368, 49407, 0, 0, 0, 0, 0], row);
    }

    [Fact]
    public void Pre_tokenizer_treats_astral_letters_as_letters()
    {
        Assert.Equal(["𝐁𝐨𝐥𝐝", "math"], ClipTokenizer.PreTokenize("𝐁𝐨𝐥𝐝 math"));
    }

    [Theory]
    [InlineData("the dogs'", new[] { "the", "dogs", "'" })]
    [InlineData("'", new[] { "'" })]
    [InlineData("it's'll", new[] { "it", "'s", "'ll" })]
    [InlineData("<end_of_text", new[] { "<", "end", "_", "of", "_", "text" })]
    public void Pre_tokenizer_handles_apostrophes_and_special_token_prefixes_at_the_end_of_text(string text, string[] expected) =>
        Assert.Equal(expected, ClipTokenizer.PreTokenize(text));

    private sealed record Case(string Text, int[] Ids);
}
