namespace ClipGuard.Stream.Cli.Demo;

/// <summary>One image-text pair of the demo crawl, with the ground truth the report checks the verdicts against.</summary>
internal sealed record CrawlSample(string Id, string Caption, string Source, byte[] Png, bool Poisoned);
