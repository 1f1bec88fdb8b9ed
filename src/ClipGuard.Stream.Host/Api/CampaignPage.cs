namespace ClipGuard.Stream.Host.Api;

/// <summary>One page of the campaigns in the ledger, the one with the newest member first.</summary>
public sealed record CampaignPage(int Offset, int Count, IReadOnlyList<CampaignView> Items);
