using System.Text.Json;
using ClipGuard.Stream.Host.Api;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Tests.Telemetry;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Kafka.Replication;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using ClipGuard.Stream.Testing;
using YamlDotNet.RepresentationModel;

namespace ClipGuard.Stream.Host.Tests.Deploy;

/// <summary>
/// No Docker engine or cluster runs here, so deploy/ and docker-compose.yml are checked as far as this machine can:
/// well-formed YAML and JSON, promtool on the Prometheus config and the dashboard's queries, dashboard metric names
/// against the instruments ClipGuard exports, and cross-references between the files.
/// </summary>
public sealed class DeployFilesTests
{
    public static TheoryData<string> YamlFiles() => new(DeployFiles("*.yaml").Concat(DeployFiles("*.yml")).Append("docker-compose.yml"));

    public static TheoryData<string> JsonFiles() => new(DeployFiles("*.json"));

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void YamlIsWellFormedAndNotEmpty(string file)
    {
        YamlStream yaml = Load(file);
        Assert.NotEmpty(yaml.Documents);
        Assert.All(yaml.Documents, d => Assert.IsType<YamlMappingNode>(d.RootNode));
    }

    [Theory]
    [MemberData(nameof(JsonFiles))]
    public void JsonIsWellFormed(string file)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf(file)));
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public async Task PromtoolAcceptsThePrometheusConfig()
    {
        (int rc, string output) = await Promtool.RunAsync(["check", "config", RepositoryFiles.PathOf("deploy/prometheus/prometheus.yml")]);
        Assert.True(rc == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryDashboardQueryIsValidPromQl()
    {
        // promtool has no expression checker of its own; a rules file whose expressions are the dashboard's is parsed by
        // the real PromQL parser.
        IReadOnlyList<(string Panel, string Expr)> queries = GrafanaDashboard.Queries();
        Assert.True(queries.Count >= 10, $"only {queries.Count} queries in the dashboard");
        string path = Path.Combine(Path.GetTempPath(), $"clipguard-dashboard-rules-{Guid.NewGuid():N}.yml");
        var lines = new List<string> { "groups:", "  - name: dashboard", "    rules:" };
        for (int i = 0; i < queries.Count; i++)
        {
            lines.Add($"      - record: dashboard:query{i}");
            lines.Add($"        expr: {JsonSerializer.Serialize(GrafanaDashboard.Concrete(queries[i].Expr))}");
        }

        await File.WriteAllLinesAsync(path, lines, TestContext.Current.CancellationToken);
        try
        {
            (int rc, string output) = await Promtool.RunAsync(["check", "rules", path]);
            Assert.True(rc == 0, output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EveryMetricTheDashboardQueriesIsOneClipGuardExports()
    {
        IReadOnlyDictionary<string, System.Diagnostics.Metrics.Instrument> exported = InstrumentationFactory.ExportedSeries();
        IReadOnlyDictionary<string, HashSet<string>> used = GrafanaDashboard.MetricsAndLabels();
        foreach (string required in new[] { "clipguard_samples_routed_total", "clipguard_stage_duration_seconds_bucket", "clipguard_score_bucket", "clipguard_consumer_lag", "clipguard_reference_size", "clipguard_rescore_drift" })
        {
            Assert.Contains(required, used.Keys);
        }

        var unknown = used.Keys.Where(m => !exported.ContainsKey(m)).ToList();
        Assert.True(unknown.Count == 0, $"not exported: {string.Join(", ", unknown)}; exported: {string.Join(", ", exported.Keys.Order())}");
    }

    [Fact]
    public void ComposeRunsTheWholeStackFromFilesThatExist()
    {
        var services = (YamlMappingNode)Root("docker-compose.yml")["services"];
        string[] names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToArray();
        Assert.Equal(["clipguard", "grafana", "kafka", "kafka-topics", "otel-collector", "prometheus", "redis"], names.Order());
        Assert.StartsWith("apache/kafka:", Scalar(services, "kafka", "image"), StringComparison.Ordinal);
        Assert.Equal("broker,controller", Scalar(services, "kafka", "environment", "KAFKA_PROCESS_ROLES"));

        // The replicated reference log is created compacted, with one partition (docs/replication.md).
        string topics = string.Join(' ', ((YamlSequenceNode)((YamlMappingNode)services["kafka-topics"])["command"]).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Contains("--topic clipguard.reference --partitions 1", topics, StringComparison.Ordinal);
        Assert.Contains("cleanup.policy=compact", topics, StringComparison.Ordinal);

        foreach ((YamlNode _, YamlNode service) in services.Children)
        {
            if (((YamlMappingNode)service).Children.TryGetValue("volumes", out YamlNode? volumes))
            {
                foreach (YamlScalarNode v in ((YamlSequenceNode)volumes).Cast<YamlScalarNode>())
                {
                    string host = v.Value!.Split(':')[0];
                    Assert.True(File.Exists(RepositoryFiles.PathOf(host)) || Directory.Exists(RepositoryFiles.PathOf(host)), $"compose mounts {host}, which does not exist");
                }
            }
        }

        Assert.True(File.Exists(RepositoryFiles.PathOf(Scalar(services, "clipguard", "build", "dockerfile"))));

        // Prometheus scrapes the port ClipGuard listens on, and Grafana's provisioning points at the mounted dashboards.
        var command = (YamlSequenceNode)((YamlMappingNode)services["clipguard"])["command"];
        string urls = ((YamlScalarNode)command.Children[command.Children.IndexOf(new YamlScalarNode("--urls")) + 1]).Value!;
        string port = new Uri(urls).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"clipguard:{port}", File.ReadAllText(RepositoryFiles.PathOf("deploy/prometheus/prometheus.yml")), StringComparison.Ordinal);
        Assert.Contains(services.Children.Values.SelectMany(s => ((YamlMappingNode)s).Children.TryGetValue("volumes", out YamlNode? v) ? ((YamlSequenceNode)v).Cast<YamlScalarNode>() : []),
            v => v.Value == "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro");
        Assert.Equal("/var/lib/grafana/dashboards", Scalar((YamlMappingNode)((YamlSequenceNode)Root("deploy/grafana/provisioning/dashboards/clipguard.yaml")["providers"])[0], "options", "path"));
    }

    [Fact]
    public void KubernetesManifestsReferenceEachOtherAndRealSettings()
    {
        var kustomization = Root("deploy/k8s/kustomization.yaml");
        var docs = new Dictionary<string, YamlMappingNode>();
        foreach (YamlScalarNode r in ((YamlSequenceNode)kustomization["resources"]).Cast<YamlScalarNode>())
        {
            YamlMappingNode doc = Root($"deploy/k8s/{r.Value}");
            Assert.False(string.IsNullOrEmpty(Scalar(doc, "apiVersion")));
            docs[Scalar(doc, "kind")] = doc;
        }

        Assert.Superset(new HashSet<string> { "Deployment", "Service", "ConfigMap", "Secret", "ScaledObject" }, docs.Keys.ToHashSet());
        string deployment = Scalar(docs["Deployment"], "metadata", "name");
        Assert.Equal(deployment, Scalar(docs["ScaledObject"], "spec", "scaleTargetRef", "name"));
        var container = (YamlMappingNode)((YamlSequenceNode)Node(docs["Deployment"], "spec", "template", "spec", "containers"))[0];
        Assert.Equal(Scalar(docs["ConfigMap"], "metadata", "name"), Scalar((YamlMappingNode)((YamlSequenceNode)container["envFrom"])[0], "configMapRef", "name"));
        var token = (YamlMappingNode)((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().Single(e => Scalar(e, "name") == "ClipGuard__Api__Token")["valueFrom"];
        Assert.Equal(Scalar(docs["Secret"], "metadata", "name"), Scalar(token, "secretKeyRef", "name"));
        Assert.Contains(new YamlScalarNode(Scalar(token, "secretKeyRef", "key")), ((YamlMappingNode)docs["Secret"]["stringData"]).Children.Keys);
        Assert.Equal(Scalar(docs["Service"], "spec", "selector", "app.kubernetes.io/name"), Scalar(docs["Deployment"], "spec", "template", "metadata", "labels", "app.kubernetes.io/name"));

        // Every ClipGuard__Section__Key in the ConfigMap names a property of an options class bound from that section.
        var sections = new Dictionary<string, Type[]>
        {
            [KafkaStreamOptions.Section] = [typeof(KafkaStreamOptions)],
            [RedisOptions.SectionName] = [typeof(RedisOptions)],
            [Hosting.StreamHostingExtensions.StreamSection] =
                [typeof(ReferenceStoreOptions), typeof(EmbeddingStageOptions), typeof(ReplicationOptions), typeof(RescoreOptions), typeof(LedgerRetryOptions)],
            [Hosting.StreamHostingExtensions.ScoringSection] = [typeof(Core.Pipeline.StreamScorerOptions)],
            [TelemetryOptions.SectionName] = [typeof(TelemetryOptions)],
            [OperatorApiOptions.SectionName] = [typeof(OperatorApiOptions)],
        };
        foreach ((YamlNode key, YamlNode _) in ((YamlMappingNode)docs["ConfigMap"]["data"]).Children)
        {
            string[] parts = ((YamlScalarNode)key).Value!.Split("__");
            string section = string.Join(':', parts[..^1]);
            Assert.True(sections.TryGetValue(section, out Type[]? options), $"ConfigMap key {key}: no options section {section}");
            Assert.True(options.Any(o => o.GetProperty(parts[^1]) is not null), $"ConfigMap key {key}: no options class of {section} has a property {parts[^1]}");
        }

        // The KEDA trigger watches the group and topic the service consumes.
        var trigger = (YamlMappingNode)((YamlSequenceNode)Node(docs["ScaledObject"], "spec", "triggers"))[0];
        Assert.Equal("kafka", Scalar(trigger, "type"));
        Assert.Equal(Scalar(docs["ConfigMap"], "data", "ClipGuard__Kafka__GroupId"), Scalar(trigger, "metadata", "consumerGroup"));
        Assert.Equal(Scalar(docs["ConfigMap"], "data", "ClipGuard__Kafka__InputTopic"), Scalar(trigger, "metadata", "topic"));
    }

    [Theory]
    [InlineData("deploy/Dockerfile")]
    [InlineData("deploy/Dockerfile.cuda")]
    public void DockerfilesCopyOnlyWhatExistsAndRunTheAspNetCoreRuntime(string file)
    {
        string[] lines = File.ReadAllLines(RepositoryFiles.PathOf(file));
        var copies = lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (string copy in copies)
        {
            string[] parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string source in parts[1..^1])
            {
                Assert.True(File.Exists(RepositoryFiles.PathOf(source)) || Directory.Exists(RepositoryFiles.PathOf(source)), $"{file}: COPY {source} does not exist");
            }
        }

        // The service hosts HTTP endpoints, which the bare dotnet/runtime image cannot run.
        Assert.Contains(lines, l => l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal) || l.Contains("--from=dotnet /usr/share/dotnet", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("dotnet publish src/ClipGuard.Stream.Cli/ClipGuard.Stream.Cli.csproj", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCudaImageRestoresAndPublishesTheCudaBuildAndTheDefaultBuildStaysOnCpuLibtorch()
    {
        string[] cuda = File.ReadAllLines(RepositoryFiles.PathOf("deploy/Dockerfile.cuda"));
        Assert.Contains(cuda, l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal) && l.Contains("-p:ClipGuardCuda=true", StringComparison.Ordinal));
        Assert.Contains(cuda, l => l.StartsWith("RUN dotnet publish", StringComparison.Ordinal) && l.Contains("-p:ClipGuardCuda=true", StringComparison.Ordinal));
        Assert.DoesNotContain(File.ReadAllLines(RepositoryFiles.PathOf("deploy/Dockerfile")), l => l.Contains("ClipGuardCuda", StringComparison.Ordinal));

        var references = System.Xml.Linq.XDocument.Load(RepositoryFiles.PathOf("src/ClipGuard.Stream.Embedding/ClipGuard.Stream.Embedding.csproj"))
            .Descendants("PackageReference").ToDictionary(r => r.Attribute("Include")!.Value, r => r.Attribute("Condition")?.Value);
        Assert.Equal("'$(ClipGuardCuda)' != 'true'", references["libtorch-cpu-linux-x64"]);
        Assert.Equal("'$(ClipGuardCuda)' == 'true'", references["libtorch-cuda-12.8-linux-x64"]);
        var versions = System.Xml.Linq.XDocument.Load(RepositoryFiles.PathOf("Directory.Packages.props"))
            .Descendants("PackageVersion").ToDictionary(r => r.Attribute("Include")!.Value, r => r.Attribute("Version")!.Value);
        Assert.Equal(versions["libtorch-cpu-linux-x64"], versions["libtorch-cuda-12.8-linux-x64"]);
    }

    [Theory]
    [InlineData("deploy/Dockerfile")]
    [InlineData("deploy/Dockerfile.cuda")]
    public void DockerfilesCopyEveryProjectTheCliReferencesBeforeTheRestore(string file)
    {
        // The restore runs before the sources are copied: every project the CLI reaches, directly or through another
        // project, must have its .csproj copied by then, or the image does not build.
        string[] lines = File.ReadAllLines(RepositoryFiles.PathOf(file));
        int restore = Array.FindIndex(lines, l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, $"{file}: no dotnet restore");
        var copied = lines[..restore].Where(l => l.StartsWith("COPY src/", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToHashSet();
        var pending = new Stack<string>(["src/ClipGuard.Stream.Cli/ClipGuard.Stream.Cli.csproj"]);
        var seen = new HashSet<string>();
        while (pending.TryPop(out string? project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            Assert.Contains(project, copied);
            string folder = Path.GetDirectoryName(project)!;
            foreach (System.Xml.Linq.XElement reference in System.Xml.Linq.XDocument.Load(RepositoryFiles.PathOf(project)).Descendants("ProjectReference"))
            {
                string include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetRelativePath(RepositoryFiles.PathOf("."), Path.GetFullPath(Path.Combine(RepositoryFiles.PathOf(folder), include))).Replace('\\', '/'));
            }
        }

        Assert.Contains("src/ClipGuard.Stream.Offline/ClipGuard.Stream.Offline.csproj", seen);
    }

    private static IEnumerable<string> DeployFiles(string pattern) =>
        Directory.EnumerateFiles(RepositoryFiles.PathOf("deploy"), pattern, SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order();

    private static YamlStream Load(string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(RepositoryFiles.PathOf(file));
        yaml.Load(reader);
        return yaml;
    }

    private static YamlMappingNode Root(string file) => (YamlMappingNode)Load(file).Documents.Single().RootNode;

    private static YamlNode Node(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (string p in path)
        {
            current = ((YamlMappingNode)current)[p];
        }

        return current;
    }

    private static string Scalar(YamlMappingNode node, params string[] path) => ((YamlScalarNode)Node(node, path)).Value!;
}
