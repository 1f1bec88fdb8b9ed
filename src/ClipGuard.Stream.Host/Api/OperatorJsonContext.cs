using System.Text.Json;
using System.Text.Json.Serialization;
using ClipGuard.Stream.Host.Operator;
using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// Source-generated JSON of the operator API and the CLI's <c>--json</c> output. Scores and distances of a broken
/// score can be NaN or infinite, which plain JSON numbers cannot carry, hence the named literals.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters =
    [
        typeof(SnakeCaseEnumConverter<QuarantineStatus>),
        typeof(SnakeCaseEnumConverter<OperatorOutcome>),
        typeof(SnakeCaseEnumConverter<AuditAction>),
        typeof(SnakeCaseEnumConverter<TransitionOutcome>),
    ])]
[JsonSerializable(typeof(QuarantinePage))]
[JsonSerializable(typeof(QuarantineView))]
[JsonSerializable(typeof(AuditTrail))]
[JsonSerializable(typeof(CountersView))]
[JsonSerializable(typeof(ModelView))]
[JsonSerializable(typeof(DecisionRequest))]
[JsonSerializable(typeof(DecisionView))]
[JsonSerializable(typeof(ErrorView))]
[JsonSerializable(typeof(RefusalPage))]
[JsonSerializable(typeof(CampaignPage))]
[JsonSerializable(typeof(CampaignView))]
[JsonSerializable(typeof(CampaignDecisionView))]
public sealed partial class OperatorJsonContext : JsonSerializerContext;
