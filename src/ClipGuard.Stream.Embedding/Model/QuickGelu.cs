using TorchSharp;
using static TorchSharp.torch;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>x·σ(1.702x): the activation OpenAI's original CLIP weights were trained with (OpenCLIP's quick_gelu).</summary>
internal sealed class QuickGelu() : nn.Module<Tensor, Tensor>("QuickGELU")
{
    public override Tensor forward(Tensor input) => input * torch.sigmoid(input.mul(Scalars.QuickGeluSlope));
}
