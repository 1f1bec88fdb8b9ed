using Spectre.Console;

namespace ClipGuard.Stream.Cli;

/// <summary>A Spectre.Console progress bar on stderr, shown only when stderr is a terminal.</summary>
internal static class ConsoleProgress
{
    public static T Run<T>(string description, Func<IProgress<double>?, T> work)
    {
        if (Console.IsErrorRedirected)
        {
            return work(null);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask(description, maxValue: 1.0);
                var progress = new Progress(task);
                T result = work(progress);
                task.Value = 1.0;
                return result;
            });
    }

    private sealed class Progress(ProgressTask task) : IProgress<double>
    {
        public void Report(double value)
        {
            lock (task)
            {
                if (value > task.Value)
                {
                    task.Value = Math.Min(1.0, value);
                }
            }
        }
    }
}
