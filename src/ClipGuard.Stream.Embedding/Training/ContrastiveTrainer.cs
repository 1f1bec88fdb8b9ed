using ClipGuard.Stream.Embedding.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipGuard.Stream.Embedding.Training;

/// <summary>
/// Trains an embedder's CLIP contrastively, one batch per <see cref="Step"/>: symmetric cross-entropy between images
/// and captions with the learnable logit scale, AdamW, linear warm-up then cosine decay, one dispose scope per step.
/// Captions are given deduplicated: with few distinct captions a batch holds many copies of each, and treating copies
/// as negatives of one another would push identical texts apart. Each image's target is its caption's row; each
/// caption's target is the uniform distribution over the images that carry it.
/// </summary>
public sealed class ContrastiveTrainer : IDisposable
{
    private readonly ClipModel _model;
    private readonly AdamW _optimizer;
    private readonly ContrastiveTrainingOptions _options;
    private readonly int _totalSteps;
    private readonly int _warmupSteps;
    private int _step;

    public ContrastiveTrainer(ClipEmbedder embedder, ContrastiveTrainingOptions options, int totalSteps)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        options.Validate();
        _model = embedder.Module;
        _options = options;
        _totalSteps = totalSteps;
        _warmupSteps = (int)(options.WarmupFraction * totalSteps);
        var named = _model.named_parameters().ToList();
        var decay = named.Where(p => Decays(p.name, p.parameter)).Select(p => p.parameter).ToList();
        var keep = named.Where(p => !Decays(p.name, p.parameter)).Select(p => p.parameter).ToList();
        _optimizer = torch.optim.AdamW(
            [
                new AdamW.ParamGroup(decay, new AdamW.Options { LearningRate = options.LearningRate, weight_decay = options.WeightDecay }),
                new AdamW.ParamGroup(keep, new AdamW.Options { LearningRate = options.LearningRate, weight_decay = 0 }),
            ],
            lr: options.LearningRate, beta1: options.Beta1, beta2: options.Beta2, eps: options.Epsilon);
    }

    /// <summary>Steps taken so far.</summary>
    public int StepsTaken => _step;

    /// <summary>The learning rate the next step will use.</summary>
    public double LearningRate => LearningRateAt(_step);

    /// <summary>exp(logit_scale): the inverse temperature the model has learned.</summary>
    public float LogitScale => _model.LogitScale;

    /// <summary>
    /// One optimiser step. <paramref name="pixels"/> holds <paramref name="images"/> preprocessed images (3 x S x S each,
    /// CHW); <paramref name="captionTokens"/> the batch's distinct captions as token rows of the model's context
    /// length; <paramref name="captionOfImage"/> each image's row in it. Every caption row must be used by some image.
    /// Returns the loss before the step.
    /// </summary>
    public double Step(float[] pixels, int images, IReadOnlyList<int[]> captionTokens, int[] captionOfImage)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(captionTokens);
        ArgumentNullException.ThrowIfNull(captionOfImage);
        int s = _model.Config.Vision.ImageSize, ctx = _model.Config.Text.ContextLength, u = captionTokens.Count;
        if (images < 2 || pixels.Length != (long)images * 3 * s * s || captionOfImage.Length != images)
        {
            throw new ArgumentException($"a step needs at least 2 images of 3x{s}x{s} values, each with a caption row");
        }

        var used = new bool[u];
        foreach (int c in captionOfImage)
        {
            used[c < 0 || c >= u ? throw new ArgumentException($"caption row {c} is outside 0..{u - 1}") : c] = true;
        }

        if (Array.IndexOf(used, false) is var unused and >= 0)
        {
            throw new ArgumentException($"caption row {unused} is used by no image");
        }

        var tokens = new long[u * ctx];
        for (int i = 0; i < u; i++)
        {
            if (captionTokens[i].Length != ctx)
            {
                throw new ArgumentException($"caption row {i} has {captionTokens[i].Length} ids, the model takes {ctx}");
            }

            for (int j = 0; j < ctx; j++)
            {
                tokens[i * ctx + j] = captionTokens[i][j];
            }
        }

        SetLearningRate(LearningRateAt(_step));
        _model.train();
        try
        {
            using var scope = NewDisposeScope();
            var imageFeatures = _model.EncodeImage(torch.tensor(pixels, [images, 3, s, s]), normalize: true);
            var textFeatures = _model.EncodeText(torch.tensor(tokens, [u, ctx]), normalize: true);
            var logits = _model.LogLogitScale.exp() * imageFeatures.matmul(textFeatures.t());   // (B, U)
            var targets = torch.tensor(captionOfImage.Select(c => (long)c).ToArray());
            var imageLoss = nn.functional.cross_entropy(logits, targets);
            var carriers = nn.functional.one_hot(targets, u).to(ScalarType.Float32).t();       // (U, B)
            var textLoss = -(carriers * nn.functional.log_softmax(logits.t(), 1)).sum(1).div(carriers.sum(1)).mean();
            var loss = (imageLoss + textLoss) / 2;
            _optimizer.zero_grad();
            loss.backward();
            _optimizer.step();
            using (torch.no_grad())
            {
                _model.LogLogitScale.clamp_(0, Math.Log(ContrastiveTrainingOptions.MaxLogitScale));
            }

            _step++;
            return loss.item<float>();
        }
        finally
        {
            _model.eval();
        }
    }

    /// <summary>Writes the optimiser's state (AdamW's moments and step counts) for <see cref="RestoreOptimizer"/>.</summary>
    public void SaveOptimizer(string path) => _optimizer.save_state_dict(path);

    /// <summary>Resumes from <see cref="SaveOptimizer"/>'s file, written after <paramref name="stepsTaken"/> steps.</summary>
    public void RestoreOptimizer(string path, int stepsTaken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepsTaken);
        _optimizer.load_state_dict(path);
        _step = stepsTaken;
    }

    public void Dispose() => _optimizer.Dispose();

    private double LearningRateAt(int at)
    {
        if (at < _warmupSteps)
        {
            return _options.LearningRate * (at + 1) / _warmupSteps;
        }

        double progress = Math.Min(1.0, (double)(at - _warmupSteps) / Math.Max(1, _totalSteps - _warmupSteps));
        return _options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    private void SetLearningRate(double lr)
    {
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }
    }

    // OpenCLIP's rule: no decay on anything of rank < 2 (gains, biases, class token) nor on norms and the logit scale.
    private static bool Decays(string name, Parameter p) =>
        p.dim() >= 2 && !name.Contains("ln", StringComparison.Ordinal) && !name.Contains("bn", StringComparison.Ordinal) && name != "logit_scale";
}
