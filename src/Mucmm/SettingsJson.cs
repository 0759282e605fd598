using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Mucmm;

/// <summary>
/// The one JSON form of option records and run records (fit.json, the deep checkpoint's settings):
/// snake_case property names, enums as lower-case kebab names, indented, null values left out. Records are serialized whole,
/// so a new option is recorded without code here.
/// </summary>
public static class SettingsJson
{
    /// <summary>The serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary><paramref name="value"/> as a JSON tree.</summary>
    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options);

    /// <summary>
    /// The first place where <paramref name="recorded"/> and <paramref name="current"/> differ, as a dotted path
    /// below <paramref name="prefix"/> (e.g. "training.learning_rate") with both values as JSON text; null when
    /// they are equal. Paths in <paramref name="ignore"/> are not compared.
    /// </summary>
    public static (string Path, string Recorded, string Current)? FirstDifference(JsonNode? recorded, JsonNode? current, string prefix, IReadOnlySet<string>? ignore = null)
    {
        if (ignore is not null && ignore.Contains(prefix)) return null;
        if (recorded is JsonObject a && current is JsonObject b)
        {
            foreach (string key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
            {
                var d = FirstDifference(a[key], b[key], prefix.Length == 0 ? key : $"{prefix}.{key}", ignore);
                if (d is not null) return d;
            }
            return null;
        }
        if (JsonNode.DeepEquals(recorded, current)) return null;
        return (prefix, Text(recorded), Text(current));
    }

    private static string Text(JsonNode? node) => node is null ? "none" : node.ToJsonString();
}
