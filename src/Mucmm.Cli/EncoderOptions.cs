using System.CommandLine;
using Mucmm.Data;
using Mucmm.Deep.Onnx;
using Spectre.Console;

namespace Mucmm.Cli;

/// <summary>
/// <c>--encoder1 ENC</c> … <c>--encoder8 ENC</c>: the encoder of one view (beside <c>--encoder</c>, which sets every
/// view), and the frozen pretrained front end they give a fit: which views are replaced by their cached features
/// (<see cref="ViewEncoders"/>). The one place that turns the encoder flags into per-view specs.
/// </summary>
public sealed class EncoderOptions
{
    /// <summary>Creates the options.</summary>
    public EncoderOptions()
    {
        PerView = Enumerable.Range(1, DataOptions.MaxViews).Select(m => new Option<string?>($"--encoder{m}")
        {
            Description = m == 1
                ? $"Encoder of view 1 (overrides --encoder for it): a frozen pretrained encoder ({ViewEncoders.Forms}) whose features are computed once and cached, for any model; or, for deep models, auto, mlp, cnn or identity. Text views get minilm. --encoder2 … --encoder8 likewise."
                : $"Encoder of view {m} (see --encoder1).",
            HelpName = "ENC",
            Hidden = m > 2,
        }).ToArray();
    }

    /// <summary><c>--encoder1</c> … <c>--encoder8</c>.</summary>
    public IReadOnlyList<Option<string?>> PerView { get; }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var o in PerView) command.Options.Add(o);
    }

    /// <summary>Whether any <c>--encoderN</c> is given.</summary>
    public bool AnyGiven(ParseResult parse) => PerView.Any(o => parse.GetValue(o) is not null);

    /// <summary>
    /// The encoder named for each of <paramref name="views"/> views: <c>--encoderN</c>, else <paramref name="all"/> (the
    /// value of <c>--encoder</c>, null when not given). A <c>--encoderN</c> beyond the number of views is refused.
    /// </summary>
    public string?[] Given(ParseResult parse, int views, string? all)
    {
        for (int m = views; m < PerView.Count; m++)
            if (parse.GetValue(PerView[m]) is not null)
                throw new MucmmUserException($"--encoder{m + 1} names an encoder for view {m + 1}, but the data has {views} views");
        return Enumerable.Range(0, views).Select(m => parse.GetValue(PerView[m]) ?? all).ToArray();
    }

    /// <summary>
    /// The frozen pretrained encoder of every view of <paramref name="views"/> (<see cref="ViewEncoders.Resolve"/>):
    /// the pretrained names among <paramref name="given"/>, and <c>minilm</c> for text views. A non-pretrained name
    /// given with <c>--encoderN</c> for a text view is refused there.
    /// </summary>
    public static string?[] Pretrained(IReadOnlyList<string?> given, IReadOnlyList<View> views, ParseResult parse, EncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(views);
        for (int m = 0; m < views.Count; m++)
            if (views[m].Kind == ViewKind.Text && parse.GetValue(options.PerView[m]) is { } g && !ViewEncoders.IsPretrained(g))
                throw new MucmmUserException($"--encoder{m + 1} {g}: view {m + 1} is a text view, its encoder must be {ViewEncoders.TextEncoder}");
        return ViewEncoders.Resolve(given.Select(g => ViewEncoders.IsPretrained(g) ? g : null).ToArray(), views);
    }

    /// <summary>
    /// <paramref name="data"/> with its encoded views replaced by their features (<see cref="ViewEncoders.Encode(PairedDataset, IReadOnlyList{string?}, FeatureCache?, Func{string, int, Action{int}?}?)"/>,
    /// through the cache at <see cref="FeatureCache.DefaultDirectory"/>), with a progress bar per computed view unless
    /// <paramref name="quiet"/>.
    /// </summary>
    public static PairedDataset Encode(PairedDataset data, IReadOnlyList<string?>? specs, bool quiet)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!ViewEncoders.Any(specs)) return data;
        var cache = FeatureCache.Default;
        if (quiet) return ViewEncoders.Encode(data, specs!, cache);
        PairedDataset result = data;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                result = ViewEncoders.Encode(data, specs!, cache, (description, rows) =>
                {
                    var task = ctx.AddTask(Markup.Escape(description), maxValue: rows);
                    return done => task.Value = done;
                });
            });
        return result;
    }

    /// <summary>
    /// <paramref name="data"/> as the model in <paramref name="modelPath"/> takes it: the views with a recorded pretrained
    /// encoder (<c>model/encoders.json</c>) replaced by their (cached) features; the data itself for other models.
    /// </summary>
    public static PairedDataset ForModel(string modelPath, PairedDataset data, bool quiet = true) =>
        Encode(data, ViewEncoders.Load(modelPath), quiet);
}
