using Mucmm.Data;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>What a checkpoint records besides tensors.</summary>
/// <param name="Phase">"pretrain" or "train".</param>
/// <param name="Epoch">Epochs of that phase completed.</param>
/// <param name="Best">Best validation score so far.</param>
/// <param name="BestEpoch">Epoch of the best score.</param>
/// <param name="Wait">Epochs since the best score.</param>
/// <param name="Rows">Metrics of every epoch so far.</param>
internal sealed record CheckpointState(string Phase, int Epoch, double Best, int BestEpoch, int Wait, List<EpochMetrics> Rows);

/// <summary>
/// An atomic per-epoch checkpoint folder: written to <c>checkpoint.tmp</c>, then swapped in by renames,
/// so a run killed at any moment leaves either the previous or the new checkpoint complete.
/// </summary>
internal sealed class Checkpoint(string directory)
{
    /// <summary>Name of the checkpoint folder inside a fit's work folder.</summary>
    public const string FolderName = "checkpoint";

    private const string SettingsFile = "settings.json";

    /// <summary>The checkpoint of the work folder <paramref name="workDirectory"/>, recording <paramref name="settings"/> when it saves.</summary>
    public static Checkpoint In(string workDirectory, string? settings = null) =>
        new(Path.Combine(workDirectory, FolderName)) { Settings = settings };

    public string Directory { get; } = directory;

    /// <summary>The run's options and data fingerprint (JSON), written into every checkpoint.</summary>
    public string? Settings { get; init; }

    /// <summary>The settings recorded in the checkpoint, or null when it records none.</summary>
    public System.Text.Json.Nodes.JsonObject? ReadSettings()
    {
        string path = Path.Combine(Resolve() ?? throw new InvalidOperationException("no checkpoint"), SettingsFile);
        if (!File.Exists(path)) return null;
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) as System.Text.Json.Nodes.JsonObject;
        }
        catch (JsonException e)
        {
            throw new MucmmUserException(path, $"damaged checkpoint settings ({e.Message}); delete the checkpoint folder to start again");
        }
    }

    public void Save(MultiviewNetwork network, CheckpointState state, Dictionary<string, Tensor>? best, OptimizerHelper optimizer, IReadOnlyList<nn.Module> extra, Dictionary<string, Tensor>? average = null)
    {
        string tmp = Directory + ".tmp", old = Directory + ".old";
        // A run killed between the two renames below left only the .old checkpoint (the one it resumed
        // from): put it back first, so that deleting .old further down never removes the only complete one.
        if (!System.IO.Directory.Exists(Directory) && System.IO.Directory.Exists(old)) System.IO.Directory.Move(old, Directory);
        // Created (and later renamed) only while the process is not being interrupted: an interruption removes a work
        // folder without a complete checkpoint, and this step must not recreate it afterwards (TemporaryPaths).
        TemporaryPaths.UnlessInterrupted(() =>
        {
            if (System.IO.Directory.Exists(tmp)) System.IO.Directory.Delete(tmp, true);
            System.IO.Directory.CreateDirectory(tmp);
        });
        network.save(Path.Combine(tmp, "network.bin"));
        if (best is not null) SaveDict(best, Path.Combine(tmp, "best.bin"));
        if (average is not null) SaveDict(average, Path.Combine(tmp, "average.bin"));
        optimizer.save_state_dict(Path.Combine(tmp, "optimizer.bin"));
        for (int i = 0; i < extra.Count; i++) extra[i].save(Path.Combine(tmp, $"extra{i}.bin"));
        File.WriteAllText(Path.Combine(tmp, "state.json"), JsonSerializer.Serialize(ToDto(state)));
        if (Settings is not null) File.WriteAllText(Path.Combine(tmp, SettingsFile), Settings);
        TemporaryPaths.UnlessInterrupted(() =>
        {
            if (System.IO.Directory.Exists(old)) System.IO.Directory.Delete(old, true);
            if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Move(Directory, old);
            System.IO.Directory.Move(tmp, Directory);
            if (System.IO.Directory.Exists(old)) System.IO.Directory.Delete(old, true);
        });
    }

    /// <summary>Loads networks from the checkpoint and returns its state, or null when there is none.</summary>
    public CheckpointState? Load(MultiviewNetwork network)
    {
        string dir = Resolve();
        if (dir is null) return null;
        network.load(Path.Combine(dir, "network.bin"));
        var dto = JsonSerializer.Deserialize<StateDto>(File.ReadAllText(Path.Combine(dir, "state.json")))!;
        return FromDto(dto);
    }

    public void LoadExtra(IReadOnlyList<nn.Module> extra, OptimizerHelper optimizer)
    {
        string dir = Resolve() ?? throw new InvalidOperationException("no checkpoint");
        for (int i = 0; i < extra.Count; i++) extra[i].load(Path.Combine(dir, $"extra{i}.bin"));
        optimizer.load_state_dict(Path.Combine(dir, "optimizer.bin"));
    }

    public Dictionary<string, Tensor>? LoadBest(MultiviewNetwork network) => LoadDictionary(network, "best.bin");

    /// <summary>A saved state dictionary of the checkpoint (e.g. "best.bin", "average.bin"), or null when absent.</summary>
    public Dictionary<string, Tensor>? LoadDictionary(MultiviewNetwork network, string name)
    {
        string dir = Resolve() ?? throw new InvalidOperationException("no checkpoint");
        string path = Path.Combine(dir, name);
        if (!File.Exists(path)) return null;
        return LoadDict(network, path);
    }

    /// <summary>Whether a complete checkpoint (or the previous one, during a swap) exists.</summary>
    public bool Exists => Resolve() is not null;

    private string Resolve()
    {
        if (File.Exists(Path.Combine(Directory, "state.json"))) return Directory;
        string old = Directory + ".old";
        return File.Exists(Path.Combine(old, "state.json")) ? old : null!;
    }

    private static void SaveDict(Dictionary<string, Tensor> dict, string path)
    {
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(dict.Count);
        foreach (var (k, v) in dict)
        {
            writer.Write(k);
            var data = v.cpu().to(float32).contiguous().data<float>().ToArray();
            writer.Write(data.Length);
            foreach (float f in data) writer.Write(f);
        }
    }

    private static Dictionary<string, Tensor> LoadDict(MultiviewNetwork network, string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var reference = network.state_dict();
        int count = reader.ReadInt32();
        var result = new Dictionary<string, Tensor>();
        for (int i = 0; i < count; i++)
        {
            string k = reader.ReadString();
            int len = reader.ReadInt32();
            var data = new float[len];
            for (int j = 0; j < len; j++) data[j] = reader.ReadSingle();
            var like = reference[k];
            result[k] = tensor(data, like.shape, dtype: float32).to(like.dtype).to(like.device).DetachFromDisposeScope();
        }
        return result;
    }

    private sealed record StateDto(string Phase, int Epoch, double? Best, int BestEpoch, int Wait, List<RowDto> Rows);
    private sealed record RowDto(string Phase, int Epoch, List<string> Names, List<double> Values, double? Validation, double Seconds);

    private static StateDto ToDto(CheckpointState s) => new(s.Phase, s.Epoch, double.IsFinite(s.Best) ? s.Best : null, s.BestEpoch, s.Wait,
        s.Rows.Select(r => new RowDto(r.Phase, r.Epoch, r.Terms.Select(t => t.Key).ToList(), r.Terms.Select(t => t.Value).ToList(),
            double.IsNaN(r.ValidationCorrelation) ? null : r.ValidationCorrelation, r.Seconds)).ToList());

    private static CheckpointState FromDto(StateDto d) => new(d.Phase, d.Epoch, d.Best ?? double.NegativeInfinity, d.BestEpoch, d.Wait,
        d.Rows.Select(r => new EpochMetrics(r.Phase, r.Epoch, r.Names.Zip(r.Values, KeyValuePair.Create).ToArray(), r.Validation ?? double.NaN, r.Seconds)).ToList());
}
