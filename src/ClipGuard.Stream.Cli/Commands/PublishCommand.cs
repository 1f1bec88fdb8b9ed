using System.CommandLine;
using System.Globalization;
using ClipGuard.Stream.Cli.Input;
using ClipGuard.Stream.Cli.Offline;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Publishing;
using ClipGuard.Stream.Kafka.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard publish</c>: publishes envelopes to the input topic as a crawler would: one per embedding row
/// (<c>--embeddings</c>, here), or one image-only envelope per pair of an img2dataset output (<c>--input</c>, <see cref="PublishRunner"/>).</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var embeddings = new Option<FileInfo?>("--embeddings") { Description = "N x d float32 .npy file: one embedding per row." };
        var input = new Option<string?>("--input")
        {
            Description = "img2dataset output (a folder of NNNNN.tar or NNNNN/ shards, or one .tar): publish its pairs as image-only envelopes.",
        };
        var captions = new Option<FileInfo?>("--captions") { Description = "With --embeddings: text file, one caption per row (default: empty captions)." };
        var ids = new Option<FileInfo?>("--ids") { Description = "With --embeddings: text file, one sample id per row (default: the row index)." };
        var sources = new Option<FileInfo?>("--sources") { Description = "With --embeddings: text file, one source name per row." };
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
        var maxMessageBytes = new Option<int>("--max-message-bytes")
        {
            Description = "Envelopes larger than this are skipped, not sent (the service's --max-message-bytes; it dead-letters larger ones).",
            DefaultValueFactory = _ => KafkaStreamOptions.DefaultMaxMessageBytes,
        };
        var pairOptions = new PublishInputOptions();
        var command = new Command("publish", "Publish JSON envelopes (key = id) with an idempotent producer: one per embedding row (--embeddings), or one image-only envelope per pair of an img2dataset output (--input).");
        foreach (Option option in new Option[] { embeddings, input, captions, ids, sources, bootstrap, topic, batchFlush, maxMessageBytes })
        {
            command.Options.Add(option);
        }

        pairOptions.AddTo(command);
        command.Validators.Add(r =>
        {
            bool fromEmbeddings = r.GetResult(embeddings) is not null, fromInput = r.GetResult(input) is not null;
            if (fromEmbeddings == fromInput)
            {
                r.AddError("publish: give exactly one of --embeddings (precomputed embeddings) or --input (an img2dataset output)");
            }
            else if (fromInput && new Option[] { captions, ids, sources }.FirstOrDefault(o => r.GetResult(o) is not null) is { } extra)
            {
                r.AddError($"publish: {extra.Name} goes with --embeddings; with --input captions, ids and sources come from the dataset");
            }
            else if (fromEmbeddings && pairOptions.FirstGiven(r) is { } pairOnly)
            {
                r.AddError($"publish: {pairOnly} goes with --input");
            }
        });

        command.SetAction(parse =>
        {
            var options = new PublisherOptions
            {
                BootstrapServers = parse.GetRequiredValue(bootstrap),
                Topic = parse.GetRequiredValue(topic),
                BatchFlush = parse.GetValue(batchFlush),
                MaxMessageBytes = parse.GetValue(maxMessageBytes),
            };
            return parse.GetValue(input) is { } folder
                ? PublishRunner.Run(pairOptions.Settings(parse, folder), options, Console.Error)
                : Run(parse.GetValue(embeddings)!, parse.GetValue(captions), parse.GetValue(ids), parse.GetValue(sources), options);
        });
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
            try
            {
                publisher.EnsureReachable();
            }
            catch (BrokerUnavailableException ex)
            {
                Console.Error.WriteLine($"publish: broker unavailable: {ex.Message}");
                return OfflineExit.Unavailable;
            }

            IEnumerable<SampleEnvelope> envelopes = Enumerable.Range(0, embeddings.Rows).Select(i => new SampleEnvelope(
                ids?[i] ?? i.ToString(CultureInfo.InvariantCulture),
                captions?[i] ?? string.Empty,
                embeddings.RowReadOnly(i).ToArray(),
                image: null,
                source: sources?[i]));
            PublishReport report;
            try
            {
                report = publisher.PublishAll(envelopes);
            }
            catch (BrokerUnavailableException ex)
            {
                Console.Error.WriteLine($"publish: broker unavailable: {ex.Message}");
                return OfflineExit.Unavailable;
            }

            Console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"publish: {report.Delivered} of {embeddings.Rows} messages acknowledged on {options.Topic} in {report.Elapsed.TotalSeconds:0.00} s ({report.MessagesPerSecond:0} msg/s)"));
            if (report.TooLarge > 0)
            {
                Console.Error.WriteLine($"publish: {report.TooLarge} envelope(s) over --max-message-bytes {options.MaxMessageBytes} not sent");
            }

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
