using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClipGuard.Stream.Host.Api;
using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Cli.Quarantine;

/// <summary>The work behind each <c>clipguard quarantine</c> verb: one ledger call (or one decision), printed, mapped to an exit code.</summary>
internal static class QuarantineRunner
{
    public static Task<int> ListAsync(QuarantineSettings settings, QuarantineStatus status, string? source, int offset, int count, CancellationToken cancel) =>
        RunAsync(settings, async session =>
        {
            string? from = string.IsNullOrEmpty(source) ? null : source;
            var records = await session.Ledger.ListAsync(status, offset, count, from, cancel).ConfigureAwait(false);
            var page = new QuarantinePage(status, from, offset, count, [.. records.Select(r => QuarantineView.From(r, withMessage: false))]);
            Write(settings, page, OperatorJsonContext.Default.QuarantinePage, QuarantineText.WritePage);
            return QuarantineExitCodes.Ok;
        });

    public static Task<int> ShowAsync(QuarantineSettings settings, string id, CancellationToken cancel) =>
        RunAsync(settings, async session =>
        {
            if (await session.Ledger.GetAsync(id, cancel).ConfigureAwait(false) is not { } record)
            {
                await Console.Error.WriteLineAsync($"quarantine: no quarantined sample with id '{id}'").ConfigureAwait(false);
                return QuarantineExitCodes.BadInput;
            }

            Write(settings, QuarantineView.From(record, withMessage: true), OperatorJsonContext.Default.QuarantineView, QuarantineText.WriteRecord);
            return QuarantineExitCodes.Ok;
        });

    public static Task<int> AuditAsync(QuarantineSettings settings, string id, CancellationToken cancel) =>
        RunAsync(settings, async session =>
        {
            var entries = await session.Ledger.GetAuditAsync(id, cancel).ConfigureAwait(false);
            Write(settings, new AuditTrail(id, [.. entries.Select(AuditView.From)]), OperatorJsonContext.Default.AuditTrail, QuarantineText.WriteAudit);
            return QuarantineExitCodes.Ok;
        });

    public static Task<int> DecideAsync(QuarantineSettings settings, bool release, string id, string actor, string reason, CancellationToken cancel)
    {
        string? error = QuarantineReleaser.ActorError(actor) is { } a ? $"--actor: {a}" : QuarantineReleaser.ReasonError(reason);
        if (release && string.IsNullOrWhiteSpace(settings.Bootstrap))
        {
            error ??= "release needs --bootstrap: the copy goes to the clean topic on that broker";
        }

        if (error is not null)
        {
            Console.Error.WriteLine($"quarantine: {error}");
            return Task.FromResult(QuarantineExitCodes.BadInput);
        }

        return RunAsync(settings, async session =>
        {
            var releaser = session.Releaser;
            var result = release
                ? await releaser.ReleaseAsync(id, actor, reason, cancel).ConfigureAwait(false)
                : await releaser.RejectAsync(id, actor, reason, cancel).ConfigureAwait(false);
            var view = DecisionView.From(result);
            if (result.Outcome == OperatorOutcome.Applied)
            {
                Write(settings, view, OperatorJsonContext.Default.DecisionView, (v, o) => QuarantineText.WriteDecision(release ? "released" : "rejected", v, o));
            }
            else if (settings.Json)
            {
                Write(settings, view, OperatorJsonContext.Default.DecisionView, (_, _) => { });
            }
            else
            {
                // Refusals go to stderr, where scripts expect them; stdout stays for what was done.
                QuarantineText.WriteDecision(release ? "release" : "reject", view, Console.Error);
            }

            return QuarantineExitCodes.Of(result.Outcome);
        });
    }

    private static async Task<int> RunAsync(QuarantineSettings settings, Func<QuarantineSession, Task<int>> work)
    {
        try
        {
            using var session = new QuarantineSession(settings);
            return await work(session).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"quarantine: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return QuarantineExitCodes.BadInput;
        }
        catch (LedgerUnavailableException ex)
        {
            await Console.Error.WriteLineAsync($"quarantine: {ex.Message}").ConfigureAwait(false);
            return QuarantineExitCodes.Unavailable;
        }
    }

    private static void Write<T>(QuarantineSettings settings, T value, JsonTypeInfo<T> json, Action<T, TextWriter> text)
    {
        if (settings.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(value, json));
        }
        else
        {
            text(value, Console.Out);
        }
    }
}
