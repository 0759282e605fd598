using Xunit;

// Torch keeps global state (threads, RNG, default dtype): tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
