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
        var (config, configPath) = Parse(directory);
        string? kind;
        try
        {
            kind = config["model"]?.GetValue<string>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
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

    /// <summary>
    /// Reads and checks the <c>config.json</c> of a saved model of one family — the one home of the
    /// checks every model's <c>Load</c> needs: the file exists and is JSON, <c>"model"</c> is one of
    /// <paramref name="kinds"/>, and <c>"format_version"</c> is <paramref name="formatVersion"/>.
    /// Each failure is a one-line <see cref="MucmmUserException"/> naming the file.
    /// </summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="family">Family name used in messages, e.g. "linear", "deep", "PCA".</param>
    /// <param name="formatVersion">The format version this build reads for the family.</param>
    /// <param name="kinds">The <c>"model"</c> values of the family.</param>
    /// <returns>The parsed config, its <c>"model"</c> value, and the config file's path.</returns>
    public static (JsonNode Config, string Kind, string ConfigPath) ReadConfig(string directory, string family, int formatVersion, params string[] kinds)
    {
        var (config, configPath) = Parse(directory);
        try
        {
            string kind = config["model"]?.GetValue<string>() ?? throw new MucmmUserException(configPath, "\"model\" is missing");
            if (!kinds.Contains(kind))
                throw new MucmmUserException(configPath,
                    $"model '{kind}' is not a {family} model (expected {string.Join(" or ", kinds.Select(k => $"\"{k}\""))})");
            int version = config["format_version"]?.GetValue<int>() ?? throw new MucmmUserException(configPath, "format_version is missing");
            if (version != formatVersion)
                throw new MucmmUserException(configPath,
                    $"format_version {version} is not supported: this build of mucmm reads {family} models of format_version {formatVersion}; refit the model or use the matching mucmm version");
            return (config, kind, configPath);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new MucmmUserException(configPath, $"damaged config ({e.Message})");
        }
    }

    /// <summary>
    /// Reads a safetensors weights file into named tensors (owned by the caller's dispose scope);
    /// a missing or unreadable file is a <see cref="MucmmUserException"/> naming it.
    /// </summary>
    public static Dictionary<string, TorchSharp.torch.Tensor> ReadWeights(string weightsPath)
    {
        if (!File.Exists(weightsPath)) throw new MucmmUserException(weightsPath, "the weights file is missing");
        try
        {
            using var stream = File.OpenRead(weightsPath);
            return TorchSharp.PyBridge.Safetensors.LoadStateDict(stream, leaveOpen: false);
        }
        catch (Exception e) when (e is not MucmmUserException)
        {
            throw new MucmmUserException(weightsPath, $"cannot read safetensors ({e.Message})");
        }
    }

    private static (JsonNode Config, string ConfigPath) Parse(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new MucmmUserException(directory, "not a model folder (config.json is missing)");
        try
        {
            return (JsonNode.Parse(File.ReadAllText(configPath)) ?? throw new JsonException("empty file"), configPath);
        }
        catch (JsonException e)
        {
            throw new MucmmUserException(configPath, $"not valid JSON ({e.Message})");
        }
    }
}
