using System.Text.Json;

namespace ClipGuard.Stream.Embedding.Config;

/// <summary>
/// Reads OpenCLIP's config format. Keys that would change the architecture and that we do not implement (timm or
/// Hugging Face towers, attentional pooling, layer scale, ...) are refused by name rather than silently ignored:
/// a checkpoint trained with them would load (its keys may even match) and embed wrongly.
/// </summary>
internal static class ClipModelConfigParser
{
    // Keys whose presence with a non-default value we refuse; the value listed is the one that means "off".
    private static readonly Dictionary<string, object?> VisionDefaults = new(StringComparer.Ordinal)
    {
        ["ls_init_value"] = null, ["patch_dropout"] = 0.0, ["attentional_pool"] = false, ["no_ln_pre"] = false,
        ["pos_embed_type"] = "learnable", ["final_ln_after_pool"] = false, ["pool_type"] = "tok",
        ["output_tokens"] = false, ["timm_model_name"] = null, ["global_average_pool"] = false,
    };

    private static readonly Dictionary<string, object?> TextDefaults = new(StringComparer.Ordinal)
    {
        ["ls_init_value"] = null, ["embed_cls"] = false, ["no_causal_mask"] = false, ["final_ln_after_pool"] = false,
        ["pool_type"] = "argmax", ["proj_bias"] = false, ["proj_type"] = "linear", ["hf_model_name"] = null,
        ["output_tokens"] = false, ["pad_id"] = 0,
    };

    private static readonly HashSet<string> TopLevelIgnored = new(StringComparer.Ordinal)
    {
        // Tokenizer/preprocessing hints and training-only switches that do not change the forward pass.
        "custom_text", "cast_dtype", "preprocess_cfg", "init_logit_bias",
    };

    public static ClipModelConfig Parse(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            // Hugging Face hub OpenCLIP repos ship open_clip_config.json: {"model_cfg": {...}, "preprocess_cfg": {...}}.
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("model_cfg", out var wrapped))
            {
                root = wrapped;
            }

            foreach (var p in root.EnumerateObject())
            {
                if (p.Name is not ("embed_dim" or "quick_gelu" or "vision_cfg" or "text_cfg") && !TopLevelIgnored.Contains(p.Name))
                {
                    throw new ModelConfigException($"{source}: unsupported top-level key '{p.Name}'");
                }
            }

            if (root.TryGetProperty("init_logit_bias", out var bias) && bias.ValueKind != JsonValueKind.Null)
            {
                throw new ModelConfigException($"{source}: 'init_logit_bias' (SigLIP-style logit bias) is not supported");
            }

            return new ClipModelConfig
            {
                EmbedDim = Required(root, "embed_dim", source).GetInt32(),
                QuickGelu = root.TryGetProperty("quick_gelu", out var q) && q.GetBoolean(),
                Vision = ParseVision(Required(root, "vision_cfg", source), source),
                Text = ParseText(Required(root, "text_cfg", source), source),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ModelConfigException($"{source}: malformed model config: {e.Message}", e);
        }
    }

    private static VisionConfig ParseVision(JsonElement v, string source)
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { "image_size", "layers", "width", "patch_size", "head_width", "mlp_ratio" };
        CheckKeys(v, known, VisionDefaults, source, "vision_cfg");
        var image = Required(v, "image_size", source);
        if (image.ValueKind == JsonValueKind.Array)
        {
            throw new ModelConfigException($"{source}: vision_cfg.image_size must be a single int (non-square input is not supported)");
        }

        var layers = Required(v, "layers", source);
        var resnet = layers.ValueKind == JsonValueKind.Array ? layers.EnumerateArray().Select(e => e.GetInt32()).ToArray() : null;
        if (resnet is { Length: not 4 })
        {
            throw new ModelConfigException($"{source}: vision_cfg.layers as a list must have 4 stages (ModifiedResNet)");
        }

        int? patch = v.TryGetProperty("patch_size", out var ps) && ps.ValueKind != JsonValueKind.Null ? ps.GetInt32() : null;
        if (resnet is null && patch is null)
        {
            throw new ModelConfigException($"{source}: a ViT vision_cfg needs patch_size");
        }

        return new VisionConfig
        {
            ImageSize = image.GetInt32(),
            ResNetLayers = resnet,
            Layers = resnet is null ? layers.GetInt32() : 0,
            Width = Required(v, "width", source).GetInt32(),
            PatchSize = patch,
            HeadWidth = v.TryGetProperty("head_width", out var hw) ? hw.GetInt32() : 64,
            MlpRatio = v.TryGetProperty("mlp_ratio", out var mr) ? mr.GetDouble() : 4.0,
        };
    }

    private static TextConfig ParseText(JsonElement t, string source)
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { "context_length", "vocab_size", "width", "heads", "layers", "mlp_ratio" };
        CheckKeys(t, known, TextDefaults, source, "text_cfg");
        return new TextConfig
        {
            ContextLength = t.TryGetProperty("context_length", out var c) ? c.GetInt32() : 77,
            VocabSize = t.TryGetProperty("vocab_size", out var vs) ? vs.GetInt32() : 49408,
            Width = t.TryGetProperty("width", out var w) ? w.GetInt32() : 512,
            Heads = t.TryGetProperty("heads", out var h) ? h.GetInt32() : 8,
            Layers = t.TryGetProperty("layers", out var l) ? l.GetInt32() : 12,
            MlpRatio = t.TryGetProperty("mlp_ratio", out var mr) ? mr.GetDouble() : 4.0,
        };
    }

    private static void CheckKeys(JsonElement e, HashSet<string> known, Dictionary<string, object?> defaults, string source, string section)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (known.Contains(p.Name))
            {
                continue;
            }

            if (!defaults.TryGetValue(p.Name, out var off))
            {
                throw new ModelConfigException($"{source}: unsupported key {section}.{p.Name}");
            }

            if (!IsDefault(p.Value, off))
            {
                throw new ModelConfigException($"{source}: {section}.{p.Name}={p.Value.GetRawText()} is not supported (only {off ?? "null"})");
            }
        }
    }

    private static bool IsDefault(JsonElement value, object? off) => off switch
    {
        null => value.ValueKind == JsonValueKind.Null,
        bool b => value.ValueKind is JsonValueKind.True or JsonValueKind.False && value.GetBoolean() == b,
        double d => value.ValueKind == JsonValueKind.Number && value.GetDouble() == d,
        int i => value.ValueKind == JsonValueKind.Number && value.GetInt32() == i,
        string s => value.ValueKind == JsonValueKind.String && value.GetString() == s,
        _ => false,
    };

    private static JsonElement Required(JsonElement e, string name, string source) =>
        e.TryGetProperty(name, out var v) ? v : throw new ModelConfigException($"{source}: missing key '{name}'");
}
