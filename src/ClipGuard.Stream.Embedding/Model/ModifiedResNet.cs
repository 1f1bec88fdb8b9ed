using ClipGuard.Stream.Embedding.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ClipGuard.Stream.Embedding.Model;

/// <summary>
/// CLIP's ModifiedResNet (RN50 and kin): a three-convolution stem with an average pool instead of a max pool,
/// four stages of anti-aliased bottlenecks, and attention pooling instead of global average pooling.
/// </summary>
internal sealed class ModifiedResNet : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly AvgPool2d avgpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AttentionPool2d attnpool;

    public ModifiedResNet(VisionConfig cfg, int embedDim) : base("ModifiedResNet")
    {
        var layers = cfg.ResNetLayers ?? throw new ModelConfigException("a ModifiedResNet needs a list of stage depths");
        if (cfg.ImageSize % 32 != 0)
        {
            throw new ModelConfigException($"image_size {cfg.ImageSize} is not a multiple of 32 (the ResNet's total stride)");
        }

        long width = cfg.Width;
        conv1 = Conv2d(3, width / 2, 3, stride: 2, padding: 1, bias: false);
        bn1 = BatchNorm2d(width / 2);
        conv2 = Conv2d(width / 2, width / 2, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(width / 2);
        conv3 = Conv2d(width / 2, width, 3, padding: 1, bias: false);
        bn3 = BatchNorm2d(width);
        avgpool = AvgPool2d(2);

        long inplanes = width;
        layer1 = Stage(ref inplanes, width, layers[0], 1);
        layer2 = Stage(ref inplanes, width * 2, layers[1], 2);
        layer3 = Stage(ref inplanes, width * 4, layers[2], 2);
        layer4 = Stage(ref inplanes, width * 8, layers[3], 2);

        long features = width * 32;   // the stage-4 output channels
        // OpenCLIP: heads = width * 32 // head_width.
        attnpool = new AttentionPool2d(cfg.ImageSize / 32, features, features / cfg.HeadWidth, embedDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(bn1.forward(conv1.forward(input)));
        x = functional.relu(bn2.forward(conv2.forward(x)));
        x = functional.relu(bn3.forward(conv3.forward(x)));
        x = avgpool.forward(x);
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
        return attnpool.forward(x).MoveToOuterDisposeScope();
    }

    private static Sequential Stage(ref long inplanes, long planes, int blocks, long stride)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)> { ("0", new Bottleneck(inplanes, planes, stride)) };
        inplanes = Bottleneck.OutputChannels(planes);
        for (int i = 1; i < blocks; i++)
        {
            modules.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Bottleneck(inplanes, planes, 1)));
        }

        return Sequential(modules);
    }
}
