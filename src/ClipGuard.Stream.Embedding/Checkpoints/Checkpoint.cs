using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ClipGuard.Stream.Embedding.Checkpoints;

/// <summary>Reads and writes OpenCLIP state_dicts and copies them into a module by exact key, strictly.</summary>
internal static class Checkpoint
{
    // Keys OpenCLIP itself drops when loading: metadata from OpenAI's released checkpoints, not parameters.
    private static readonly HashSet<string> MetadataKeys = new(StringComparer.Ordinal) { "input_resolution", "context_length", "vocab_size" };

    public static CheckpointFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => CheckpointFormat.Safetensors,
        ".pt" or ".pth" or ".bin" => CheckpointFormat.PyTorch,
        var ext => throw new CheckpointException($"{path}: unknown checkpoint extension '{ext}' (expected .safetensors, .pt, .pth or .bin)"),
    };

    public static Dictionary<string, Tensor> Read(string path)
    {
        try
        {
            return FormatOf(path) switch
            {
                CheckpointFormat.Safetensors => LoadSafetensors(path),
                _ => FromPickle(PyTorchUnpickler.UnpickleStateDict(path), path),
            };
        }
        catch (Exception e) when (e is not (CheckpointException or OutOfMemoryException or OperationCanceledException))
        {
            // The readers are third-party (TorchSharp.PyBridge, Razorvine.Pickle, libtorch) and throw whatever their
            // code hits on a damaged file: fuzzing saw InvalidCastException, PickleException, InvalidOpcodeException
            // and libtorch's ExternalException besides the I/O and format errors. Every one means the same thing here.
            throw new CheckpointException($"{path}: unreadable checkpoint: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private static Dictionary<string, Tensor> LoadSafetensors(string path)
    {
        SafetensorsHeader.Validate(path);
        return Safetensors.LoadStateDict(path);
    }

    public static void Write(nn.Module module, string path)
    {
        switch (FormatOf(path))
        {
            case CheckpointFormat.Safetensors:
                module.save_safetensors(path);
                break;
            default:
                module.save_py(path);
                break;
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="module"/>; every key must match in name and shape.</summary>
    public static void Apply(nn.Module module, Dictionary<string, Tensor> source, string origin)
    {
        var target = module.state_dict();
        foreach (var key in source.Keys.Order(StringComparer.Ordinal))
        {
            if (!target.ContainsKey(key) && !IsIgnorable(key))
            {
                throw new CheckpointException($"{origin}: unexpected key '{key}' (not a parameter or buffer of this model config)");
            }
        }

        foreach (var (key, dest) in target.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!source.TryGetValue(key, out var value))
            {
                if (IsIgnorable(key))
                {
                    continue;
                }

                throw new CheckpointException($"{origin}: missing key '{key}' (expected shape [{string.Join(", ", dest.shape)}])");
            }

            if (!value.shape.SequenceEqual(dest.shape))
            {
                throw new CheckpointException(
                    $"{origin}: key '{key}' has shape [{string.Join(", ", value.shape)}], the model expects [{string.Join(", ", dest.shape)}]");
            }
        }

        using (torch.no_grad())
        {
            foreach (var (key, dest) in target)
            {
                if (source.TryGetValue(key, out var value))
                {
                    dest.copy_(value);
                }
            }
        }
    }

    // num_batches_tracked only steers BatchNorm's momentum in training; eval never reads it, and exporters disagree on
    // whether to keep it.
    private static bool IsIgnorable(string key) => key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    private static Dictionary<string, Tensor> FromPickle(Hashtable table, string path)
    {
        // OpenCLIP training checkpoints wrap the weights: {"epoch", "name", "state_dict", "optimizer", ...}.
        if (table["state_dict"] is Hashtable inner)
        {
            table = inner;
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            var key = (string)entry.Key;
            if (MetadataKeys.Contains(key))
            {
                continue;
            }

            if (entry.Value is not Tensor t)
            {
                throw new CheckpointException($"{path}: key '{key}' is not a tensor");
            }

            // DistributedDataParallel checkpoints prefix every key with "module.".
            result[key.StartsWith("module.", StringComparison.Ordinal) ? key["module.".Length..] : key] = t;
        }

        return result;
    }
}
