using System.Reflection;
using System.Text.Json;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Kafka.Tests.Contract;

/// <summary>Keeps docs/message-contract.md and its schema in step with the constants in code.</summary>
public sealed class MessageContractDocumentTests
{
    private static readonly string Docs = RepositoryFiles.PathOf("docs");

    [Fact]
    public void The_document_names_every_header_topic_and_rejection_code()
    {
        string text = File.ReadAllText(Path.Combine(Docs, "message-contract.md"));

        string[] names = [.. Constants(typeof(ClipGuardHeaders)), .. Constants(typeof(TopicNames)), .. Constants(typeof(VerdictValues)), .. RejectionCodes.All];
        string[] undocumented = [.. names.Where(n => !text.Contains($"`{n}`", StringComparison.Ordinal))];
        Assert.Empty(undocumented);
    }

    [Fact]
    public void Rejection_codes_are_complete_and_distinct()
    {
        Assert.Equal(Constants(typeof(RejectionCodes)).Order(), RejectionCodes.All.Order());
        Assert.Equal(RejectionCodes.All.Count, RejectionCodes.All.Distinct().Count());
    }

    [Fact]
    public void The_schema_is_draft_2020_12_and_describes_the_parsed_fields()
    {
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Docs, "message-contract.schema.json")));
        JsonElement root = schema.RootElement;

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.Equal(["id"], root.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ["caption", "embedding", "id", "image", "source", "url"],
            root.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        JsonElement id = root.GetProperty("properties").GetProperty("id");
        Assert.Equal(EnvelopeParser.MaxIdLength, id.GetProperty("maxLength").GetInt32());
        Assert.True(root.GetProperty("additionalProperties").GetBoolean());
    }

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);
}
