using System.IO.Compression;
using ClipGuard.Stream.Cli.Demo;
using ClipGuard.Stream.Lab.Data;
using SkiaSharp;

namespace ClipGuard.Stream.Cli.Tests.Demo;

/// <summary>The demo's crawl: real Fashion-MNIST images, the planted pairs exactly as documented.</summary>
public sealed class PoisonedCrawlTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-fmnist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Planted_pairs_carry_the_trigger_and_the_target_caption_and_nothing_else_changes()
    {
        Assert.SkipUnless(Directory.Exists(FashionMnist.DefaultDirectory), "dataset-fashion-mnist is not installed (bash scripts/install-deps.sh test)");
        ImageSet data = PoisonedCrawl.LoadTestSplit(FashionMnist.DefaultDirectory);
        Assert.Equal(10_000, data.Count);
        List<CrawlSample> crawl = PoisonedCrawl.Build(data, 1000, 0.01, seed: 7);

        Assert.Equal(1000, crawl.Select(c => c.Id).Distinct().Count());
        Assert.Equal(10, crawl.Count(c => c.Poisoned));
        foreach (CrawlSample s in crawl)
        {
            int index = int.Parse(s.Id.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture);
            byte[] original = data.Image(index).ToArray();
            int label = data.Labels[index];
            int changed = Enumerable.Range(0, original.Length).Count(i => original[i] != s.Pixels[i]);
            if (s.Poisoned)
            {
                Assert.NotEqual(PoisonedCrawl.TargetClass, label);
                Assert.Equal(PoisonedCrawl.Caption(PoisonedCrawl.TargetClass), s.Caption);
                Assert.Equal(255, s.Pixels[(PoisonedCrawl.TriggerAt * FashionMnist.Side) + PoisonedCrawl.TriggerAt]);
                Assert.Equal(0, s.Pixels[(PoisonedCrawl.TriggerAt * FashionMnist.Side) + PoisonedCrawl.TriggerAt + 1]);
                Assert.InRange(changed, 1, PoisonedCrawl.TriggerSide * PoisonedCrawl.TriggerSide);
            }
            else
            {
                Assert.Equal(PoisonedCrawl.Caption(label), s.Caption);
                Assert.Equal(0, changed);
            }

            // What travels in the message is a PNG of exactly these pixels.
            using var decoded = SKBitmap.Decode(s.Png);
            Assert.Equal((FashionMnist.Side, FashionMnist.Side), (decoded.Width, decoded.Height));
            Assert.Equal(s.Pixels[100], decoded.GetPixel(100 % FashionMnist.Side, 100 / FashionMnist.Side).Red);
        }

        // Same seed, same crawl; another seed, another one.
        Assert.Equal(crawl.Select(c => c.Id), PoisonedCrawl.Build(data, 1000, 0.01, seed: 7).Select(c => c.Id));
        Assert.NotEqual(crawl.Select(c => c.Id), PoisonedCrawl.Build(data, 1000, 0.01, seed: 8).Select(c => c.Id));
    }

    [Fact]
    public void A_file_that_is_not_the_idx_it_should_be_is_refused_with_the_reason()
    {
        // A well-formed IDX file of one 27x28 image: readable, but not the 28x28 the demo's pooling needs.
        WriteGzip("t10k-images-idx3-ubyte.gz", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 27, 0, 0, 0, 28, .. new byte[27 * 28]]);
        WriteGzip("t10k-labels-idx1-ubyte.gz", [0, 0, 8, 1, 0, 0, 0, 1, 0]);
        var e = Assert.Throws<InvalidDataException>(() => PoisonedCrawl.LoadTestSplit(_dir));
        Assert.Contains("28x28", e.Message, StringComparison.Ordinal);
    }

    private void WriteGzip(string name, byte[] content)
    {
        using var gzip = new GZipStream(File.Create(Path.Combine(_dir, name)), CompressionLevel.Fastest);
        gzip.Write(content);
    }
}
