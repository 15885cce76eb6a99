using System.Text.Json;

namespace ModelAudit.Graphs.Tests;

/// <summary>Loads the NetworkX / CPython fixtures written by goldens/make_graph_goldens.py.</summary>
internal static class Goldens
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static T[] Load<T>(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "goldens", name + ".json");
        return JsonSerializer.Deserialize<T[]>(File.ReadAllText(path), Options)!;
    }

    /// <summary>The graph as the generator built it: nodes 0..n-1, edges [u, v, w] added in order.</summary>
    public static WeightedDigraph BuildGraph(int n, double[][] edges)
    {
        var builder = new WeightedDigraphBuilder(n);
        foreach (var e in edges)
        {
            builder.Add((int)e[0], (int)e[1], e[2]);
        }

        return builder.Build();
    }
}

public sealed record BetweennessGolden(string Name, int N, bool Directed, string Length, bool Normalized, bool Endpoints,
    double[][] Edges, double[] Expected)
{
    public override string ToString() => $"{Name} {Length} normalized={Normalized} endpoints={Endpoints}";
}

public sealed record ModularityGolden(string Name, int N, bool Directed, double Resolution, double[][] Edges,
    int[] Communities, double Expected)
{
    public override string ToString() => $"{Name} gamma={Resolution}";
}

public sealed record LouvainGolden(string Name, int N, bool Directed, double Resolution, int Seed, double[][] Edges,
    int[] Communities, int Levels, double Modularity, int[]? Planted)
{
    public override string ToString() => $"{Name} seed={Seed} gamma={Resolution}";
}

public sealed record PythonRandomGolden(int Seed, uint[] Outputs, int[][] Shuffles);
