using System.Diagnostics;
using System.Security.Cryptography;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Model;
using ClipGuard.Stream.Embedding.Tokenization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipGuard.Stream.Embedding;

/// <summary>
/// A loaded OpenCLIP model behind plain arrays: pixels or token ids in, float embeddings out. The only door
/// through which the rest of ClipGuard reaches TorchSharp. Not thread-safe: one caller at a time per instance.
/// </summary>
public sealed class ClipEmbedder : IDisposable
{
    private readonly ClipModel _model;
    private readonly bool _normalize;
    private readonly Device _device;

    private ClipEmbedder(ClipModel model, string modelId, string version, EmbedderOptions options)
    {
        _device = DeviceOf(options.Device);
        _model = model;
        ModelId = modelId;
        Version = version;
        _normalize = options.Normalize;
        if (options.Threads > 0)
        {
            torch.set_num_threads(options.Threads);
        }

        if (_device.type != DeviceType.CPU)
        {
            model.to(_device);
        }

        model.eval();
    }

    /// <summary>Where the forward passes run (<see cref="EmbedderOptions.Device"/>).</summary>
    public string DeviceName => _device.ToString();

    /// <summary>
    /// The device a <see cref="EmbedderOptions.Device"/> string names, refused with the reason when libtorch cannot
    /// use it: a CPU build (libtorch-cpu) sees no CUDA device even on a GPU machine.
    /// </summary>
    public static Device DeviceOf(string? name)
    {
        string text = string.IsNullOrWhiteSpace(name) ? "cpu" : name.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return torch.CPU;
        }

        int index = 0;
        if (!(text == "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal)
                                 && int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))))
        {
            throw new ArgumentException($"device {name}: expected cpu, cuda or cuda:N");
        }

        if (!torch.cuda.is_available())
        {
            throw new InvalidOperationException(
                $"device {name}: libtorch sees no CUDA device. This needs the CUDA build (dotnet build -p:ClipGuardCuda=true, which links libtorch-cuda-12.8) on a machine with an NVIDIA GPU and driver; the default build links libtorch-cpu (docs/embedding.md, \"CUDA\")");
        }

        int count = torch.cuda.device_count();
        return index < count ? new Device(DeviceType.CUDA, index) : throw new InvalidOperationException($"device {name}: libtorch sees {count} CUDA devices");
    }

    /// <summary>The config's name (file name without extension), recorded with each verdict.</summary>
    public string ModelId { get; }

    /// <summary>First 16 hex digits of the weights file's SHA-256, so two checkpoints of one architecture differ.</summary>
    public string Version { get; }

    public ClipModelConfig Config => _model.Config;
    public int EmbedDim => _model.Config.EmbedDim;
    public int ImageSize => _model.Config.Vision.ImageSize;
    public int ContextLength => _model.Config.Text.ContextLength;

    /// <summary>True when the text tower reads CLIP's BPE vocabulary, so <see cref="EncodeTexts"/> can embed captions.</summary>
    public bool EmbedsCaptions => _model.Config.ReadsClipVocabulary;

    public long ParameterCount => _model.parameters().Sum(p => p.numel());

    public static ClipEmbedder Load(ModelSource source, EmbedderOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var sw = Stopwatch.StartNew();
        var config = ClipModelConfig.Load(source.ConfigPath);
        var model = new ClipModel(config);
        var weights = Checkpoint.Read(source.WeightsPath);
        try
        {
            Checkpoint.Apply(model, weights, source.WeightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }

        var version = HashPrefix(source.WeightsPath);
        var id = ModelIdOf(source.ConfigPath);
        Log.ModelLoaded(logger ?? NullLogger.Instance, id, version, source.Describe(), sw.ElapsedMilliseconds);
        return new ClipEmbedder(model, id, version, options ?? new EmbedderOptions());
    }

    /// <summary>Random OpenCLIP-style initialisation, reproducible from <paramref name="seed"/> (benchmarks, tests).</summary>
    public static ClipEmbedder CreateRandom(ClipModelConfig config, string modelId, long seed, EmbedderOptions? options = null, ILogger? logger = null)
    {
        torch.manual_seed(seed);
        var model = new ClipModel(config);
        Log.RandomModelCreated(logger ?? NullLogger.Instance, modelId, seed);
        return new ClipEmbedder(model, modelId, $"random-{seed}", options ?? new EmbedderOptions());
    }

    /// <summary>Writes the weights with OpenCLIP key names; the extension picks safetensors or torch.save format.</summary>
    public void Save(string weightsPath) => Checkpoint.Write(_model, weightsPath);

    /// <summary>Embeds a batch of preprocessed images, each 3 x S x S floats in CHW order.</summary>
    public float[][] EncodeImages(IReadOnlyList<float[]> pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Count == 0)
        {
            return [];
        }

        int s = ImageSize, per = 3 * s * s;
        var flat = new float[checked(pixels.Count * per)];
        for (int i = 0; i < pixels.Count; i++)
        {
            if (pixels[i].Length != per)
            {
                throw new ArgumentException($"image {i} has {pixels[i].Length} values, this model takes 3x{s}x{s} = {per}", nameof(pixels));
            }

            pixels[i].CopyTo(flat, i * per);
        }

        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = torch.tensor(flat, [pixels.Count, 3, s, s]).to(_device);
        return Rows(_model.EncodeImage(input, _normalize));
    }

    /// <summary>Embeds a batch of token-id rows, each exactly <see cref="ContextLength"/> long (see ClipTokenizer).</summary>
    public float[][] EncodeTokens(IReadOnlyList<int[]> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0)
        {
            return [];
        }

        int n = ContextLength, vocab = _model.Config.Text.VocabSize;
        var flat = new long[checked(tokens.Count * n)];
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Length != n)
            {
                throw new ArgumentException($"token row {i} has {tokens[i].Length} ids, this model takes {n}", nameof(tokens));
            }

            for (int j = 0; j < n; j++)
            {
                int id = tokens[i][j];
                flat[i * n + j] = id >= 0 && id < vocab ? id : throw new ArgumentException($"token row {i} holds id {id} outside the vocabulary of {vocab}", nameof(tokens));
            }
        }

        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = torch.tensor(flat, [tokens.Count, n]).to(_device);
        return Rows(_model.EncodeText(input, _normalize));
    }

    /// <summary>Tokenizes captions with CLIP's BPE at this model's context length and embeds them.</summary>
    public float[][] EncodeTexts(IReadOnlyList<string> texts, ClipTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabularySize != _model.Config.Text.VocabSize)
        {
            throw new ArgumentException($"tokenizer has {tokenizer.VocabularySize} tokens, the model's text tower {_model.Config.Text.VocabSize}", nameof(tokenizer));
        }

        return EncodeTokens(texts.Select(t => tokenizer.Tokenize(t, ContextLength)).ToArray());
    }

    public void Dispose() => _model.Dispose();

    internal ClipModel Module => _model;

    private static float[][] Rows(Tensor embeddings)
    {
        var data = embeddings.cpu().contiguous().data<float>().ToArray();
        int d = (int)embeddings.shape[1];
        var rows = new float[embeddings.shape[0]][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = data.AsSpan(i * d, d).ToArray();
        }

        return rows;
    }

    private static string ModelIdOf(string configPath)
    {
        var name = Path.GetFileNameWithoutExtension(configPath);
        // Hub directories all call their config open_clip_config.json; the directory name is the useful id then.
        return name is "open_clip_config" or "config" ? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(configPath))) ?? name : name;
    }

    private static string HashPrefix(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }
}
