using System.CommandLine;
using ClipGuard.Stream.Core.IO;
using System.Globalization;
using ClipGuard.Stream.Cli.Input;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Publishing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard publish</c>: publishes one envelope per embedding row to the input topic, as a crawler would.</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var embeddings = new Option<FileInfo>("--embeddings")
        {
            Description = "N x d float32 .npy file: one embedding per row.",
            Required = true,
        };
        var captions = new Option<FileInfo?>("--captions") { Description = "Text file, one caption per row (default: empty captions)." };
        var ids = new Option<FileInfo?>("--ids") { Description = "Text file, one sample id per row (default: the row index)." };
        var sources = new Option<FileInfo?>("--sources") { Description = "Text file, one source name per row." };
        var bootstrap = new Option<string>("--bootstrap") { Description = "Kafka bootstrap servers (host:port,...).", Required = true };
        var topic = new Option<string>("--topic")
        {
            Description = "Topic to publish to.",
            DefaultValueFactory = _ => TopicNames.Pairs,
        };
        var batchFlush = new Option<int>("--batch-flush")
        {
            Description = "Wait for acknowledgements after every N messages.",
            DefaultValueFactory = _ => PublisherOptions.DefaultBatchFlush,
        };
        var command = new Command("publish", "Publish one JSON envelope per embedding row (key = id) with an idempotent producer.");
        foreach (Option option in new Option[] { embeddings, captions, ids, sources, bootstrap, topic, batchFlush })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => Run(
            parse.GetRequiredValue(embeddings),
            parse.GetValue(captions),
            parse.GetValue(ids),
            parse.GetValue(sources),
            new PublisherOptions
            {
                BootstrapServers = parse.GetRequiredValue(bootstrap),
                Topic = parse.GetRequiredValue(topic),
                BatchFlush = parse.GetValue(batchFlush),
            }));
        return command;
    }

    private static int Run(FileInfo embeddingsFile, FileInfo? captionsFile, FileInfo? idsFile, FileInfo? sourcesFile, PublisherOptions options)
    {
        Matrix<float> embeddings;
        string[]? captions, ids, sources;
        try
        {
            embeddings = Npy.ReadMatrixSingle(embeddingsFile.FullName);
            captions = captionsFile is null ? null : LineFile.Read(captionsFile.FullName, "caption", embeddings.Rows);
            ids = idsFile is null ? null : LineFile.Read(idsFile.FullName, "id", embeddings.Rows);
            sources = sourcesFile is null ? null : LineFile.Read(sourcesFile.FullName, "source", embeddings.Rows);
            CheckContent(embeddings, ids);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or NpyFormatException)
        {
            // Missing files, unreadable .npy, line-count mismatches: bad input, not a failure of the publish.
            Console.Error.WriteLine($"publish: {ex.Message}");
            return 2;
        }

        using ILoggerFactory logging = CliLogging.Create();
        EnvelopePublisher publisher;
        try
        {
            publisher = new EnvelopePublisher(options, logging.CreateLogger("ClipGuard.Publish"));
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine($"publish: {string.Join("; ", ex.Failures)}");
            return 2;
        }

        using (publisher)
        {
            IEnumerable<SampleEnvelope> envelopes = Enumerable.Range(0, embeddings.Rows).Select(i => new SampleEnvelope(
                ids?[i] ?? i.ToString(CultureInfo.InvariantCulture),
                captions?[i] ?? string.Empty,
                embeddings.RowReadOnly(i).ToArray(),
                image: null,
                source: sources?[i]));
            PublishReport report = publisher.PublishAll(envelopes);
            Console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"publish: {report.Delivered} of {embeddings.Rows} messages acknowledged on {options.Topic} in {report.Elapsed.TotalSeconds:0.00} s ({report.MessagesPerSecond:0} msg/s)"));
            if (report.Failed > 0)
            {
                Console.Error.WriteLine($"publish: {report.Failed} message(s) failed, first: {report.FirstError}");
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Rejects what the contract cannot carry before anything is sent: JSON has no NaN, and ids must be valid.</summary>
    private static void CheckContent(Matrix<float> embeddings, string[]? ids)
    {
        int bad = embeddings.FirstNonFiniteRow();
        if (bad >= 0)
        {
            throw new InvalidDataException($"embedding row {bad} holds NaN or infinity, which JSON cannot carry");
        }

        if (ids is null)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i].Length is 0 or > EnvelopeParser.MaxIdLength)
            {
                throw new InvalidDataException($"id on line {i + 1} must have 1..{EnvelopeParser.MaxIdLength} characters");
            }

            if (!seen.Add(ids[i]))
            {
                throw new InvalidDataException($"id '{ids[i]}' on line {i + 1} is a duplicate");
            }
        }
    }
}
