using System.Numerics.Tensors;
using ClipGuard.Stream.Core.Calibration;

namespace ClipGuard.Stream.Core.Campaigns;

/// <summary>
/// Groups suspects into campaigns. A backdoor campaign comes in copies (one trigger, one target concept in the
/// captions), natural outliers come alone: a suspect whose caption has more suspects near it than clean samples could
/// explain is confirmed, with those suspects, as a campaign; later suspects near a member join it. The expected count
/// from clean samples is the suspect level × the share of clean captions near it (from the calibration pool) × the
/// samples seen since the oldest remembered suspect.
/// By image (<see cref="AddImage"/>): a learned trigger pulls its copies together and away from the clean data, so
/// around a campaign member there are more suspects than the clean reference's density there could explain: within a
/// radius ρ (a fraction of the suspect's own k-distance to the reference), clean stream samples arrive at about
/// (reference members within ρ + 1) / (|R| + 1) per sample seen, and the group is confirmed when the suspects within ρ
/// are improbable under that rate even if every clean sample there were a suspect. Only strong suspects (fused p-value
/// at most <see cref="CampaignOptions.FoundingLevel"/>) found a campaign by image and count toward the group; any
/// suspect joins one already confirmed.
/// </summary>
public sealed class CampaignTracker
{
    /// <summary>Fractions of a suspect's k-distance at which its neighbourhood of suspects is tested (Bonferroni over them).</summary>
    public static readonly double[] ImageRadii = [0.5, 0.6, 0.7, 0.8, 0.9];

    private readonly CampaignOptions _options;
    private readonly LinkedList<Suspect> _suspects = new();
    private readonly LinkedList<Suspect> _imageSuspects = new();
    private readonly Dictionary<string, string> _campaignOf = [];
    private readonly Dictionary<string, int> _size = [];
    private readonly float _radiusSquared;
    private long _seen;
    private readonly string _instance;
    private int _nextId = 1;

    /// <param name="instance">
    /// Names this tracker's campaigns (<c>campaign-INSTANCE-N</c>); null for a random 8-hex-digit token, so campaigns
    /// of another replica, of a restart or of a model swap never share an id in the ledger.
    /// </param>
    public CampaignTracker(CampaignOptions options, string? instance = null)
    {
        var errors = new List<string>();
        options.Validate(errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid campaign options: " + string.Join("; ", errors));
        }

        _options = options;
        _instance = instance ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        _radiusSquared = (float)(options.CaptionRadius * options.CaptionRadius);
    }

    public CampaignOptions Options => _options;

    /// <summary>Members per campaign id.</summary>
    public IReadOnlyDictionary<string, int> Campaigns => _size;

    public string? CampaignOf(string sampleId) => _campaignOf.GetValueOrDefault(sampleId);

    /// <summary>Counts stream samples (suspect or not): the exposure the clean expectation scales with.</summary>
    public void Seen(int samples) => _seen += samples;

    /// <summary>
    /// Adds a suspect with its caption embedding (any norm). Returns its campaign (null when none) and the earlier
    /// suspects that joined a campaign because of it (a campaign confirmed now, or grown by a bridge).
    /// </summary>
    /// <param name="cleanSuspectRateNear">
    /// For a unit caption: how often a clean stream sample is a suspect with a caption within the radius of it (per
    /// sample seen; the calibration pool's <see cref="CalibrationPool.CaptionSuspectRateNear"/>).
    /// </param>
    public (string? CampaignId, IReadOnlyList<string> EarlierMembers) Add(string id, ReadOnlySpan<float> caption, Func<float[], double> cleanSuspectRateNear)
    {
        ArgumentNullException.ThrowIfNull(cleanSuspectRateNear);
        if (PairAgreement.Unit(caption) is not { } unit || _campaignOf.ContainsKey(id))
        {
            return (_campaignOf.GetValueOrDefault(id), []);
        }

        var near = new List<Suspect>();
        foreach (Suspect s in _suspects)
        {
            if (s.Vector.Length == unit.Length && 2 - (2 * TensorPrimitives.Dot(s.Vector, unit)) <= _radiusSquared)
            {
                near.Add(s);
            }
        }

        long exposure = Remember(_suspects, new Suspect(id, unit, _seen));
        string? campaign = near.Select(s => _campaignOf.GetValueOrDefault(s.Id)).FirstOrDefault(c => c is not null);
        if (campaign is null)
        {
            int group = near.Count + 1;
            double expected = cleanSuspectRateNear(unit) * exposure;
            if (group < _options.MinimumMembers || PoissonTail(group, expected) > _options.Significance)
            {
                return (null, []);
            }

            campaign = $"campaign-{_instance}-{_nextId++}";
        }

        return (campaign, JoinWith(id, campaign, near));
    }

    /// <summary>
    /// Adds a suspect by its image embedding (as scored), its strength and the ascending distances to its k nearest
    /// reference members (the radii are fractions of the last, its k-distance). Returns its campaign (null when none)
    /// and the earlier suspects that joined a campaign because of it.
    /// </summary>
    /// <param name="strong">
    /// A strong suspect (its fused p-value at most <see cref="CampaignOptions.FoundingLevel"/>) may found a campaign
    /// and counts toward another's group; a weak one can only join a confirmed campaign.
    /// </param>
    /// <param name="cleanDistances">
    /// Ascending distances to its nearest members of a trusted clean sample of <paramref name="cleanSize"/> points (the
    /// admission guard), from which the clean rate within a radius is read; empty to read it from the reference.
    /// </param>
    public (string? CampaignId, IReadOnlyList<string> EarlierMembers) AddImage(string id, ReadOnlySpan<float> image, bool strong, ReadOnlySpan<double> referenceDistances, int referenceSize, ReadOnlySpan<double> cleanDistances = default, int cleanSize = 0)
    {
        if (_campaignOf.ContainsKey(id) || referenceDistances.IsEmpty || referenceSize < 1)
        {
            return (_campaignOf.GetValueOrDefault(id), []);
        }

        if (cleanDistances.IsEmpty || cleanSize < 1)
        {
            cleanDistances = referenceDistances;
            cleanSize = referenceSize;
        }

        double kDistance = referenceDistances[^1];
        var others = new List<(Suspect Suspect, double Distance)>();
        foreach (Suspect s in _imageSuspects)
        {
            if (s.Vector.Length == image.Length)
            {
                others.Add((s, TensorPrimitives.Distance(s.Vector, image)));
            }
        }

        long exposure = Remember(_imageSuspects, new Suspect(id, image.ToArray(), _seen, strong));
        double radius = _options.ImageJoinRadius * kDistance;
        string? campaign = others
            .Where(o => o.Distance <= radius)
            .Select(o => _campaignOf.GetValueOrDefault(o.Suspect.Id))
            .FirstOrDefault(c => c is not null);
        if (campaign is null && !strong)
        {
            return (null, []);
        }

        if (campaign is null)
        {
            double best = 1;
            foreach (double fraction in ImageRadii)
            {
                double rho = fraction * kDistance;
                int group = 1 + others.Count(o => o.Suspect.Strong && o.Distance <= rho);
                int clean = 0;
                foreach (double d in cleanDistances)
                {
                    clean += d <= rho ? 1 : 0;
                }

                double expected = (clean + 1.0) / (cleanSize + 1.0) * exposure;
                double p = group < _options.MinimumMembers ? 1 : Math.Min(1, PoissonTail(group, expected) * ImageRadii.Length);
                if (p < best)
                {
                    (best, radius) = (p, rho);
                }
            }

            if (best > _options.Significance)
            {
                return (null, []);
            }

            campaign = $"campaign-{_instance}-{_nextId++}";
        }

        return (campaign, JoinWith(id, campaign, others.Where(o => o.Distance <= radius).Select(o => o.Suspect)));
    }

    /// <summary>
    /// Remembers a suspect (the oldest beyond the window are forgotten) and returns the exposure: the samples seen since
    /// the oldest suspect still remembered, at least one.
    /// </summary>
    private long Remember(LinkedList<Suspect> suspects, Suspect suspect)
    {
        suspects.AddLast(suspect);
        while (suspects.Count > _options.Window)
        {
            suspects.RemoveFirst();
        }

        return Math.Max(1, _seen - (suspects.First?.Value.SeenAt ?? _seen));
    }

    /// <summary>Joins the suspect and those of <paramref name="near"/> in no campaign yet to <paramref name="campaign"/>; returns the latter.</summary>
    private List<string> JoinWith(string id, string campaign, IEnumerable<Suspect> near)
    {
        var earlier = new List<string>();
        foreach (Suspect s in near.Where(s => !_campaignOf.ContainsKey(s.Id)))
        {
            Join(s.Id, campaign);
            earlier.Add(s.Id);
        }

        Join(id, campaign);
        return earlier;
    }

    private void Join(string id, string campaign)
    {
        _campaignOf[id] = campaign;
        _size[campaign] = _size.GetValueOrDefault(campaign) + 1;
    }

    /// <summary>P(X ≥ g) for X ~ Poisson(λ), summed from the upper terms in log space.</summary>
    public static double PoissonTail(int g, double lambda)
    {
        if (g <= 0)
        {
            return 1;
        }

        if (lambda <= 0)
        {
            return 0;
        }

        if (g <= lambda)
        {
            // At or below the mean the tail is near one half or more: never significant, and the sum would be long.
            return 1;
        }

        // Σ_{i ≥ g} e^{−λ} λ^i / i!, from i = g up until the terms vanish (they fall once i > λ).
        double logTerm = -lambda + (g * Math.Log(lambda)) - LogFactorial(g);
        double sum = 0;
        for (int i = g; i < g + 10_000; i++)
        {
            double term = Math.Exp(logTerm);
            sum += term;
            if (i > lambda && term < sum * 1e-16)
            {
                break;
            }

            logTerm += Math.Log(lambda) - Math.Log(i + 1);
        }

        return Math.Min(1, sum);
    }

    private static double LogFactorial(int n)
    {
        double s = 0;
        for (int i = 2; i <= n; i++)
        {
            s += Math.Log(i);
        }

        return s;
    }

    /// <summary>
    /// A remembered suspect: its unit caption embedding (caption path) or its image embedding (image path); strong when
    /// its p-value was at most the founding level (image path; caption suspects are all strong).
    /// </summary>
    private sealed record Suspect(string Id, float[] Vector, long SeenAt, bool Strong = true);
}
