using System.CommandLine;
using System.Runtime.InteropServices;
using ClipGuard.Stream.DevBroker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard dev-broker</c>: a local Kafka-protocol broker (librdkafka's mock cluster) in this process.</summary>
internal static class DevBrokerCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers")
        {
            Description = $"Number of mock brokers (1..{DevBrokerOptions.MaxBrokers}).",
            DefaultValueFactory = _ => 1,
        };
        var port = new Option<int>("--port")
        {
            Description = "Fixed port of the first broker (the next brokers take the next ports); 0 lets the kernel choose.",
            DefaultValueFactory = _ => 0,
        };
        var topics = new Option<string?>("--topics")
        {
            Description = "name:partitions,... created besides (or overriding the partition counts of) the default topics " +
                          "clipguard.pairs, .clean, .quarantine, .deadletter (4 partitions) and clipguard.reference (1).",
        };
        var stopOnStdinEof = new Option<bool>("--stop-on-stdin-eof")
        {
            Description = "Also stop when standard input closes (lets a parent process own the broker's lifetime).",
        };
        var command = new Command("dev-broker", "Start a local Kafka-protocol broker, print BOOTSTRAP=host:port, run until SIGTERM or Ctrl+C.");
        command.Options.Add(brokers);
        command.Options.Add(port);
        command.Options.Add(topics);
        command.Options.Add(stopOnStdinEof);
        command.SetAction(parse => Run(parse.GetValue(brokers), parse.GetValue(port), parse.GetValue(topics), parse.GetValue(stopOnStdinEof)));
        return command;
    }

    private static int Run(int brokers, int port, string? topics, bool stopOnStdinEof)
    {
        DevBrokerOptions options;
        try
        {
            options = new DevBrokerOptions { Brokers = brokers, Port = port, Topics = MergeTopics(topics) };
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"dev-broker: {ex.Message}");
            return 2;
        }

        using ILoggerFactory logging = CliLogging.Create();
        ILogger logger = logging.CreateLogger("ClipGuard.DevBroker");
        using var stop = new CancellationTokenSource();
        void RequestStop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);

        DevKafkaBroker broker;
        try
        {
            broker = DevKafkaBroker.Start(options, logger);
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine($"dev-broker: {string.Join("; ", ex.Failures)}");
            return 2;
        }

        using (broker)
        {
            Console.Out.WriteLine($"BOOTSTRAP={broker.BootstrapServers}");
            Console.Out.Flush();
            if (stopOnStdinEof)
            {
                _ = Task.Run(() => StopAtEndOfInput(stop));
            }

            stop.Token.WaitHandle.WaitOne();
        }

        return 0;
    }

    private static List<TopicSpec> MergeTopics(string? extra)
    {
        List<TopicSpec> result = DevBrokerOptions.DefaultTopics();
        if (string.IsNullOrWhiteSpace(extra))
        {
            return result;
        }

        foreach (TopicSpec spec in TopicSpec.ParseList(extra, DevBrokerOptions.DefaultPartitions))
        {
            int existing = result.FindIndex(t => t.Name == spec.Name);
            if (existing >= 0)
            {
                result[existing] = spec;
            }
            else
            {
                result.Add(spec);
            }
        }

        return result;
    }

    private static void StopAtEndOfInput(CancellationTokenSource stop)
    {
        using System.IO.Stream input = Console.OpenStandardInput();
        var sink = new byte[256];
        while (input.Read(sink) > 0)
        {
            // Input is ignored: only its end matters.
        }

        stop.Cancel();
    }
}
