using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>
/// Multi-head self-attention laid out like torch.nn.MultiheadAttention (packed <c>in_proj_weight</c>/<c>in_proj_bias</c>
/// and <c>out_proj</c>), so OpenCLIP state_dict keys load unchanged. Batch-first: (batch, tokens, width).
/// </summary>
internal sealed class SelfAttention : Module<Tensor, Tensor>
{
    // Field names are the state_dict keys: RegisterComponents() registers them under these names.
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;
    private readonly long heads;
    private readonly bool causal;

    public SelfAttention(long width, long heads, bool causal) : base("MultiheadAttention")
    {
        if (width % heads != 0)
        {
            throw new ArgumentException($"width {width} is not divisible by {heads} heads", nameof(heads));
        }

        this.heads = heads;
        this.causal = causal;
        in_proj_weight = new Parameter(torch.empty(3 * width, width));
        in_proj_bias = new Parameter(torch.zeros(3 * width));
        out_proj = Linear(width, width);
        init.xavier_uniform_(in_proj_weight);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        long b = input.shape[0], n = input.shape[1], w = input.shape[2];
        using var qkv = functional.linear(input, in_proj_weight, in_proj_bias).view(b, n, 3, heads, w / heads).permute(2, 0, 3, 1, 4);
        using var q = qkv[0];
        using var k = qkv[1];
        using var v = qkv[2];
        using var attended = functional.scaled_dot_product_attention(q, k, v, is_casual: causal);
        using var merged = attended.transpose(1, 2).reshape(b, n, w);
        return out_proj.forward(merged);
    }
}
