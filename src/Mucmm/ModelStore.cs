using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Linear;

namespace Mucmm;

/// <summary>Loads any saved model folder by the <c>"model"</c> entry of its <c>config.json</c>.</summary>
public static class ModelStore
{
    /// <summary>
    /// Loads the model in <paramref name="directory"/>. Throws <see cref="MucmmUserException"/> when the
    /// folder holds no model, or a model kind this build does not know.
    /// </summary>
    public static IMultiviewModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new MucmmUserException(directory, "not a model folder (config.json is missing)");
        string? kind;
        try
        {
            kind = JsonNode.Parse(File.ReadAllText(configPath))?["model"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new MucmmUserException(configPath, $"cannot read the model kind ({e.Message})");
        }
        return kind switch
        {
            "linear" or "cca" => LinearModel.Load(directory),
            "deep" or "dcca" => Deep.DeepMultiviewModel.Load(directory),
            "pca" => PcaModel.Load(directory),
            null => throw new MucmmUserException(configPath, "\"model\" is missing"),
            _ => throw new MucmmUserException(configPath, $"unknown model kind '{kind}' (this build knows linear, cca, deep, dcca, pca)"),
        };
    }
}
