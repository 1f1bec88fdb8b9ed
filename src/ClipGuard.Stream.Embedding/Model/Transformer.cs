using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>A stack of residual attention blocks under OpenCLIP's <c>resblocks.N</c> keys.</summary>
internal sealed class Transformer : Module<Tensor, Tensor>
{
    private readonly ModuleList<ResidualAttentionBlock> resblocks;

    public Transformer(long width, long layers, long heads, double mlpRatio, bool quickGelu, bool causal) : base("Transformer")
    {
        resblocks = new ModuleList<ResidualAttentionBlock>();
        for (long i = 0; i < layers; i++)
        {
            resblocks.Add(new ResidualAttentionBlock(width, heads, mlpRatio, quickGelu, causal));
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = input.alias();
        foreach (var block in resblocks)
        {
            var next = block.forward(x);
            x.Dispose();
            x = next;
        }

        return x;
    }
}
