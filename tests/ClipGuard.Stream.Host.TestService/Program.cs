using System.CommandLine;
using ClipGuard.Stream.Cli.Commands;
using ClipGuard.Stream.Host.TestService;
using ClipGuard.Stream.Host.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

// `clipguard run` with the same flags, and the full re-score decorated: it plants a drift before this replica's first re-score.
var root = new RootCommand("clipguard run for the re-score tests")
{
    RunCommand.Create(builder => builder.Services.Replace(ServiceDescriptor.Singleton<IReferenceRescorer, DriftPlantingRescorer>())),
};
return root.Parse(args).Invoke();
