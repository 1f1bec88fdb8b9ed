using ClipGuard.Stream.Host.Operator;

namespace ClipGuard.Stream.Cli.Quarantine;

/// <summary>Exit codes of <c>clipguard quarantine</c>, stable for scripts.</summary>
internal static class QuarantineExitCodes
{
    public const int Ok = 0;
    public const int BadInput = 2;
    public const int Conflict = 3;
    public const int Unavailable = 4;

    public static int Of(OperatorOutcome outcome) => outcome switch
    {
        OperatorOutcome.Applied => Ok,
        OperatorOutcome.NotFound => BadInput,
        OperatorOutcome.AlreadyReleased or OperatorOutcome.AlreadyRejected or OperatorOutcome.InProgress => Conflict,
        OperatorOutcome.Unavailable => Unavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
