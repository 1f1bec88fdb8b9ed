namespace ClipGuard.Stream.Embedding.Checkpoints;

/// <summary>The on-disk weight formats OpenCLIP publishes.</summary>
public enum CheckpointFormat
{
    /// <summary><c>.safetensors</c> (OpenCLIP's <c>open_clip_model.safetensors</c>).</summary>
    Safetensors,

    /// <summary><c>torch.save</c> zip format: <c>.pt</c>, <c>.pth</c>, <c>.bin</c> (OpenCLIP training <c>epoch_N.pt</c>).</summary>
    PyTorch,
}
