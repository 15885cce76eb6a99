namespace ModelAudit.Nif;

/// <summary>The stages of a NIF run, in order.</summary>
public enum NifStage
{
    /// <summary>The run passed the edge budget; <see cref="NifProgress.Estimate"/> holds its size. No work yet.</summary>
    Admitted,

    /// <summary>One forward per chunk: node values of every unit, predictions. Work: chunks.</summary>
    Forward,

    /// <summary>One backward per selected later-layer unit and chunk, until every edge is found. Work: backward passes (an upper bound).</summary>
    Connectivity,

    /// <summary>Mutual-information estimation per layer pair. Work: edges.</summary>
    Flows,

    /// <summary>Integrated gradients for the attribution comparison (with labels and <see cref="NifOptions.CompareAttributions"/>). Work: chunks.</summary>
    Attribution,
}

/// <summary>Progress of a NIF run, reported after each unit of work of a stage.</summary>
public sealed record NifProgress
{
    /// <summary>The stage.</summary>
    public required NifStage Stage { get; init; }

    /// <summary>Layer pair just worked on (0-based); -1 when admitted and in the forward and attribution stages.</summary>
    public required int PairIndex { get; init; }

    /// <summary>Layer pairs of the run.</summary>
    public required int PairCount { get; init; }

    /// <summary>Work of the stage done (chunks, backward passes, edges or chunks).</summary>
    public required long Done { get; init; }

    /// <summary>Work of the stage in all (for connectivity an upper bound: passes are skipped once every edge is found).</summary>
    public required long Total { get; init; }

    /// <summary>Time since the stage started.</summary>
    public required TimeSpan StageElapsed { get; init; }

    /// <summary>Time since the run started.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The up-front estimate (admitted stage only).</summary>
    public NifEstimate? Estimate { get; init; }

    /// <summary>The finished layer pair (flows stage only).</summary>
    public NifLayerPair? Pair { get; init; }

    /// <summary>Estimated time left in the stage at the rate so far (null before any work is done).</summary>
    public TimeSpan? Remaining => Done > 0 && Total >= Done ? StageElapsed * ((double)(Total - Done) / Done) : null;
}
