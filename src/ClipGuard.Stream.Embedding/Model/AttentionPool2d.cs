using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>
/// CLIP's attention pooling: the spatial mean becomes an extra token, positions are added, and one multi-head
/// attention step with the mean as the query gives the image embedding. Separate q/k/v projections, c_proj output.
/// </summary>
internal sealed class AttentionPool2d : Module<Tensor, Tensor>
{
    private readonly Parameter positional_embedding;
    private readonly Linear k_proj;
    private readonly Linear q_proj;
    private readonly Linear v_proj;
    private readonly Linear c_proj;
    private readonly long heads;

    public AttentionPool2d(long spatialDim, long embedDim, long heads, long outputDim) : base("AttentionPool2d")
    {
        this.heads = heads;
        positional_embedding = new Parameter(torch.randn(spatialDim * spatialDim + 1, embedDim) / Math.Sqrt(embedDim));
        k_proj = Linear(embedDim, embedDim);
        q_proj = Linear(embedDim, embedDim);
        v_proj = Linear(embedDim, embedDim);
        c_proj = Linear(embedDim, outputDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long b = input.shape[0], c = input.shape[1];
        var x = input.flatten(2).transpose(1, 2);                            // (B, HW, C)
        x = torch.cat([x.mean([1], keepdim: true), x], 1).Plus(positional_embedding);
        long n = x.shape[1], d = c / heads;
        // Only the mean token's output is kept, so only its query is computed: the other rows never reach the output.
        var q = q_proj.forward(x.narrow(1, 0, 1)).view(b, 1, heads, d).transpose(1, 2);
        var k = k_proj.forward(x).view(b, n, heads, d).transpose(1, 2);
        var v = v_proj.forward(x).view(b, n, heads, d).transpose(1, 2);
        var attended = functional.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, c);
        return c_proj.forward(attended).MoveToOuterDisposeScope();
    }
}
