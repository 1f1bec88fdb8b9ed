using ClipGuard.Stream.Host.Stages;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>
/// The stream pipeline, once <see cref="ReferenceBootstrapper"/> has built its reference: the stream worker and the
/// re-score wait for it. Owns the pipeline (disposed with the service).
/// </summary>
internal sealed class StreamReady : IDisposable
{
    private readonly TaskCompletionSource<StreamPipeline> _pipeline = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<StreamPipeline> Pipeline => _pipeline.Task;

    public void Set(StreamPipeline pipeline) => _pipeline.SetResult(pipeline);

    public void Dispose()
    {
        if (_pipeline.Task.IsCompletedSuccessfully)
        {
            _pipeline.Task.Result.Dispose();
        }
    }
}
