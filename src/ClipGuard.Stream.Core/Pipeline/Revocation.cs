namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>
/// A sample routed clean before a campaign it belongs to was confirmed: it was taken out of the reference or its
/// hold-back (<paramref name="FromReference"/>) and out of the calibration pool (<paramref name="FromCalibration"/>).
/// </summary>
public sealed record Revocation(string SampleId, string CampaignId, bool FromReference, bool FromCalibration);
