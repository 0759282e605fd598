using System.Globalization;
using Mucmm.Deep;

namespace Mucmm.Data.Datasets;

/// <summary>
/// The deep-model settings a built-in dataset carries as its own defaults (<see cref="DatasetDescriptor.DeepDefaults"/>):
/// each non-null property replaces the general default of <see cref="DeepModelOptions"/> /
/// <see cref="DeepTrainingOptions"/> for a deep fit on that dataset, unless the user sets it (the CLI's flags win).
/// Null properties keep the general defaults. Deep CCA and deep MUCMM both get them (the individual dimension only
/// matters to MUCMM).
/// </summary>
public sealed record DeepDefaults
{
    /// <summary>Replaces <see cref="DeepModelOptions.CommonDim"/>.</summary>
    public int? CommonDim { get; init; }

    /// <summary>Replaces <see cref="DeepModelOptions.IndividualDim"/>.</summary>
    public int? IndividualDim { get; init; }

    /// <summary>Replaces <see cref="DeepModelOptions.Head"/>.</summary>
    public HeadKind? Head { get; init; }

    /// <summary>Replaces <see cref="DeepTrainingOptions.Epochs"/>.</summary>
    public int? Epochs { get; init; }

    /// <summary>Replaces <see cref="DeepTrainingOptions.BatchSize"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Replaces <see cref="DeepTrainingOptions.LearningRate"/>.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Replaces <see cref="DeepTrainingOptions.WeightDecay"/>.</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Replaces <see cref="DeepTrainingOptions.FeatureNoise"/>.</summary>
    public double? FeatureNoise { get; init; }

    /// <summary>Replaces <see cref="DeepTrainingOptions.Patience"/>.</summary>
    public int? Patience { get; init; }

    /// <summary><paramref name="model"/> with every architecture setting this record carries.</summary>
    public DeepModelOptions Apply(DeepModelOptions model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model with
        {
            CommonDim = CommonDim ?? model.CommonDim,
            IndividualDim = IndividualDim ?? model.IndividualDim,
            Head = Head ?? model.Head,
        };
    }

    /// <summary><paramref name="training"/> with every training setting this record carries.</summary>
    public DeepTrainingOptions Apply(DeepTrainingOptions training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return training with
        {
            Epochs = Epochs ?? training.Epochs,
            BatchSize = BatchSize ?? training.BatchSize,
            LearningRate = LearningRate ?? training.LearningRate,
            WeightDecay = WeightDecay ?? training.WeightDecay,
            FeatureNoise = FeatureNoise ?? training.FeatureNoise,
            Patience = Patience ?? training.Patience,
        };
    }

    /// <summary>
    /// The settings this record carries, as (library property, value) in a fixed order, e.g.
    /// ("DeepModelOptions.CommonDim", "30"); empty when it carries none. The CLI shows them with their flags.
    /// </summary>
    public IReadOnlyList<(string Property, string Value)> Settings()
    {
        var list = new List<(string, string)>();
        void Add(string property, object? value)
        {
            if (value is not null) list.Add((property, Convert.ToString(value, CultureInfo.InvariantCulture)!.ToLowerInvariant()));
        }
        Add("DeepModelOptions.CommonDim", CommonDim);
        Add("DeepModelOptions.IndividualDim", IndividualDim);
        Add("DeepModelOptions.Head", Head);
        Add("DeepTrainingOptions.Epochs", Epochs);
        Add("DeepTrainingOptions.BatchSize", BatchSize);
        Add("DeepTrainingOptions.LearningRate", LearningRate);
        Add("DeepTrainingOptions.WeightDecay", WeightDecay);
        Add("DeepTrainingOptions.FeatureNoise", FeatureNoise);
        Add("DeepTrainingOptions.Patience", Patience);
        return list;
    }
}
