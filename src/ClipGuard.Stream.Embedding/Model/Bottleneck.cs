using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>
/// ModifiedResNet's bottleneck: every convolution has stride 1 and downsampling is an average pool (after conv2, and
/// before the 1x1 projection of the shortcut), the "anti-aliased" variant CLIP introduced.
/// </summary>
internal sealed class Bottleneck : Module<Tensor, Tensor>
{
    private const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Module<Tensor, Tensor> avgpool;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    public Bottleneck(long inplanes, long planes, long stride) : base("Bottleneck")
    {
        conv1 = Conv2d(inplanes, planes, 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        avgpool = stride > 1 ? AvgPool2d(stride) : Identity();
        conv3 = Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = BatchNorm2d(planes * Expansion);
        if (stride > 1 || inplanes != planes * Expansion)
        {
            // OpenCLIP names the pool "-1" so the conv and bn keep the indices 0 and 1 of torchvision's downsample.
            downsample = Sequential(
                ("-1", AvgPool2d(stride)),
                ("0", Conv2d(inplanes, planes * Expansion, 1, bias: false)),
                ("1", BatchNorm2d(planes * Expansion)));
        }

        RegisterComponents();
    }

    public static long OutputChannels(long planes) => planes * Expansion;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(bn1.forward(conv1.forward(input)));
        x = functional.relu(bn2.forward(conv2.forward(x)));
        x = bn3.forward(conv3.forward(avgpool.forward(x)));
        x = x.Plus(downsample is null ? input : downsample.forward(input));
        return functional.relu(x).MoveToOuterDisposeScope();
    }
}
