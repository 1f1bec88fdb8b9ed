namespace ClipGuard.Stream.Redis;

/// <summary>The output a sample's first delivery was routed to (see <see cref="IQuarantineLedger.PinRoutesAsync"/>).</summary>
public enum PinnedRoute
{
    Clean = 1,
    Quarantine = 2,
}
