using System.CommandLine;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Lab.Calibration;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary><c>clipguard lab budget</c>: how a false-quarantine budget spreads across deployments, per calibration size.</summary>
internal static class LabBudgetCommand
{
    public static Command Create()
    {
        var rate = new Option<double>("--false-quarantine-rate") { Description = "The budget: share of clean samples quarantined", DefaultValueFactory = _ => StreamScorerOptions.DefaultFalseQuarantineRate };
        var signals = LabCommand.Int("--signals", "Signals fused by Bonferroni (2: image density and image–caption agreement)", 2);
        var confidence = new Option<double>("--budget-confidence") { Description = "Probability over calibration draws that one deployment stays within the budget", DefaultValueFactory = _ => 0.9 };
        var sizes = new Option<int[]>("--sizes") { Description = "Calibration scores per signal", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1000, 2048, 4096, 8192, 16384, 32768, 65536] };
        var command = new Command("budget", "Per calibration size: the spread of the realized false-quarantine rate under the marginal rule, and the cut that holds the budget with a confidence (exact, no data)");
        foreach (Option option in new Option[] { rate, signals, confidence, sizes })
        {
            command.Options.Add(option);
        }

        command.SetAction(p => LabCommand.Guarded("lab budget", () =>
        {
            double r = p.GetValue(rate), conf = p.GetValue(confidence);
            int m = p.GetValue(signals);
            int[] n = p.GetRequiredValue(sizes);
            if (r is <= 0 or >= 1 || double.IsNaN(r) || conf is <= 0 or >= 1 || double.IsNaN(conf) || m < 1 || n.Length == 0 || n.Any(x => x < 1))
            {
                throw new ArgumentException("--false-quarantine-rate and --budget-confidence must be in (0, 1), --signals at least 1, --sizes positive");
            }

            Console.Out.Write(BudgetTable.Markdown(r, m, conf, n));
        }));
        return command;
    }
}
