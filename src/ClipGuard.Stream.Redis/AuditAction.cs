namespace ClipGuard.Stream.Redis;

/// <summary>Which status-change call an audit entry records.</summary>
public enum AuditAction
{
    Reject,
    ReleaseClaim,
    ReleaseConfirm,
    ReleaseAbort,
}
