using System.CommandLine;
using ClipGuard.Stream.Cli.Offline;
using ClipGuard.Stream.Offline;
using ClipGuard.Stream.Offline.Embedding;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>`clipguard embed`: CLIP embeddings of img2dataset shards in clip-retrieval's layout, resumable and shardable.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model directory (weights + OpenCLIP config JSON) or weights file", Required = true };
        var modelConfig = new Option<string?>("--model-config") { Description = "Config JSON when --model is a weights file" };
        var input = new Option<string>("--input") { Description = "img2dataset output: a folder of NNNNN.tar or NNNNN/ shards, or one .tar", Required = true };
        var output = new Option<string>("--out") { Description = "Embeddings folder (img_emb/, text_emb/, metadata/, stats/)", Required = true };
        var batch = new Option<int>("--batch") { Description = "Images per forward pass", DefaultValueFactory = _ => 64 };
        var device = new Option<string>("--device") { Description = "cpu | cuda | cuda:N (cuda needs the CUDA build: docs/embedding.md)", DefaultValueFactory = _ => "cpu" };
        Option<string?> shard = ShardOption();
        var workers = new Option<int>("--decode-workers") { Description = "Parallel image decoders (0 = one per core)", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = libtorch's default)", DefaultValueFactory = _ => 0 };
        var noText = new Option<bool>("--no-text") { Description = "Skip caption embeddings (text_emb/)" };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise embeddings (clip-retrieval does; the paper scores unnormalised ones)" };
        var command = new Command("embed", "Embed img2dataset shards (files or webdataset) with a CLIP checkpoint; finished shards are skipped")
        {
            model, modelConfig, input, output, batch, device, shard, workers, threads, noText, normalize,
        };
        command.SetAction(p => OfflineExit.Guard("embed", Console.Error, () =>
        {
            var settings = new EmbedSettings(p.GetValue(model)!, p.GetValue(modelConfig), p.GetValue(input)!, p.GetValue(output)!)
            {
                Batch = p.GetValue(batch),
                Shard = ShardSelection.Parse(p.GetValue(shard)),
                DecodeWorkers = p.GetValue(workers),
                Threads = p.GetValue(threads),
                Text = !p.GetValue(noText),
                Normalize = p.GetValue(normalize),
            };
            return EmbedRunner.Run(settings, p.GetValue(device)!, Console.Out, Console.Error);
        }));
        return command;
    }

    /// <summary>--shard i/n, shared by embed and clean.</summary>
    internal static Option<string?> ShardOption() => new("--shard") { Description = "Take every n-th shard starting at i (i/n, e.g. 0/4); run all parts, then merge" };
}
