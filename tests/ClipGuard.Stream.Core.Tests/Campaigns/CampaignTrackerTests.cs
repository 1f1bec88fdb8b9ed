using ClipGuard.Stream.Core.Campaigns;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Core.Tests.Campaigns;

public sealed class CampaignTrackerTests
{
    private const int Dim = 16;

    private static float[] Caption(Random rng, float[]? around = null, double spread = 0.01)
    {
        var v = new float[Dim];
        for (int j = 0; j < Dim; j++)
        {
            v[j] = around is null ? (float)TestData.Gaussian(rng) : around[j] + (float)(spread * TestData.Gaussian(rng));
        }

        return v;
    }

    [Fact]
    public void PoissonTailMatchesTheClosedForm()
    {
        // P(X ≥ 1) = 1 − e^{−λ}; P(X ≥ 3) at λ = 0.5 = 1 − e^{−0.5}(1 + 0.5 + 0.125).
        Assert.Equal(1 - Math.Exp(-0.2), CampaignTracker.PoissonTail(1, 0.2), 12);
        Assert.Equal(1 - (Math.Exp(-0.5) * 1.625), CampaignTracker.PoissonTail(3, 0.5), 12);
        Assert.Equal(1, CampaignTracker.PoissonTail(5, 10));
        Assert.Equal(0, CampaignTracker.PoissonTail(1, 0));
    }

    [Fact]
    public void CopiesOfOneCaptionConceptBecomeOneCampaignAndScatteredSuspectsStaySingletons()
    {
        var rng = new Random(5);
        var tracker = new CampaignTracker(new CampaignOptions { Enabled = true, MinimumMembers = 8 });
        float[] target = Caption(rng);
        var joined = new HashSet<string>();
        string? campaign = null;
        for (int i = 0; i < 400; i++)
        {
            tracker.Seen(50);
            bool poison = i % 20 == 0;
            (string? c, IReadOnlyList<string> earlier) = tracker.Add($"{(poison ? "p" : "n")}{i}", poison ? Caption(rng, target) : Caption(rng), _ => 0.001 * 0.05);
            if (c is not null)
            {
                campaign ??= c;
                Assert.Equal(campaign, c);
                joined.Add($"{(poison ? "p" : "n")}{i}");
                joined.UnionWith(earlier);
            }
        }

        Assert.Single(tracker.Campaigns);
        Assert.Equal(20, joined.Count);
        Assert.All(joined, id => Assert.StartsWith("p", id, StringComparison.Ordinal));
        Assert.Equal(20, tracker.Campaigns[campaign!]);
    }

    [Fact]
    public void ACaptionCommonAmongCleanSamplesNeedsMoreSuspectsThanCleanOnesExplain()
    {
        // 20 suspects share a caption that 10 % of clean samples carry, over 4,000 samples at suspect level 0.05:
        // 20 expected from clean samples alone, so 20 is no campaign; the same 20 on a rare caption are.
        var rng = new Random(9);
        float[] common = Caption(rng);
        var tracker = new CampaignTracker(new CampaignOptions { Enabled = true });
        for (int i = 0; i < 20; i++)
        {
            tracker.Seen(200);
            Assert.Null(tracker.Add($"c{i}", Caption(rng, common), _ => 0.1 * 0.05).CampaignId);
        }

        var rare = new CampaignTracker(new CampaignOptions { Enabled = true });
        var found = new List<string?>();
        for (int i = 0; i < 20; i++)
        {
            rare.Seen(200);
            found.Add(rare.Add($"c{i}", Caption(rng, common), _ => 0.0005 * 0.05).CampaignId);
        }

        Assert.Contains(found, c => c is not null);
    }

    [Fact]
    public void ACampaignConfirmedLaterRevokesItsMembersFromTheReferenceAndQuarantinesTheRest()
    {
        // A clean stream with caption embeddings; a campaign of 40 far-out images whose captions are copies of one
        // concept. Suspects routed clean before the campaign is confirmed are revoked, later ones are quarantined.
        var rng = new Random(13);
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(12_000, Dim, 8, 0, 21);
        float[] target = Caption(rng);
        var options = new StreamScorerOptions
        {
            ThresholdRule = ThresholdRule.Conformal,
            FalseQuarantineRate = 0.001,
            AdmissionFloor = 0,
            CalibrationShare = 0.1,
            UseAgreement = false,
            Campaigns = new CampaignOptions { Enabled = true, SuspectLevel = 0.05, MinimumMembers = 6 },
            Reference = new ReferenceSetOptions { K = 8, HoldBack = 0, MaxSourceShare = 1 },
        };
        var scorer = new StreamScorer(Dim, options);
        var seed = new Matrix<float>(1000, Dim);
        data.Data.AsSpan(0, 1000 * Dim).CopyTo(seed.Data);
        scorer.Seed([.. Enumerable.Range(0, 1000).Select(i => $"seed{i}")], seed);
        var verdicts = new List<Verdict>();
        var revoked = new List<Revocation>();
        int poison = 0;
        for (int start = 1000; start < data.Rows; start += 250)
        {
            var batch = new List<StreamSample>();
            for (int i = start; i < start + 250; i++)
            {
                if (i % 250 == 7 && poison < 40)
                {
                    // Inside the data's range but between clusters: suspect (p ≤ 0.05) without being extreme.
                    float[] image = data.RowReadOnly(i).ToArray();
                    for (int j = 0; j < Dim; j++)
                    {
                        image[j] *= 1.6f;
                    }

                    batch.Add(new StreamSample($"poison{poison++}", "crawler", image) { TextEmbedding = Caption(rng, target) });
                }
                else
                {
                    batch.Add(new StreamSample($"s{i}", "crawler", data.RowReadOnly(i).ToArray()) { TextEmbedding = Caption(rng) });
                }
            }

            verdicts.AddRange(scorer.Decide(batch));
            revoked.AddRange(scorer.DrainRevocations());
        }

        Assert.Single(scorer.Campaigns!.Campaigns);
        var members = verdicts.Where(v => v.CampaignId is not null).Select(v => v.SampleId).Concat(revoked.Select(r => r.SampleId)).ToHashSet();
        Assert.All(members, id => Assert.StartsWith("poison", id, StringComparison.Ordinal));
        Assert.True(members.Count >= 30, $"{members.Count} of 40 poisons joined the campaign");
        Assert.All(verdicts.Where(v => v.CampaignId is not null), v => Assert.Equal(Route.Quarantine, v.Route));
        Assert.All(members, id => Assert.False(scorer.Reference.Contains(id) || scorer.Reference.WaitingIds.Contains(id) || scorer.CalibrationPool!.Contains(id)));
        Assert.Contains(revoked, r => r.FromReference || r.FromCalibration);

        // Only samples routed clean are revoked, each once; one the budget rule quarantined is not taken back twice.
        Assert.All(revoked, r => Assert.Equal(Route.Clean, verdicts.Single(v => v.SampleId == r.SampleId).Route));
        Assert.Equal(revoked.Count, revoked.Select(r => r.SampleId).Distinct().Count());
    }
}
