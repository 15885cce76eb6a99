using System.Diagnostics;
using ModelAudit.Graphs;

namespace ModelAudit.Benchmarks;

/// <summary>
/// Brandes betweenness on a random digraph of 10^4 nodes and 10^5 edges (unweighted as the reference,
/// then weighted lengths), Louvain and modularity on the same graph.
/// </summary>
public sealed class GraphSuite : IBenchmarkSuite
{
    public string Name => "graphs";

    public void Run(TextWriter output)
    {
        const int nodes = 10_000, edges = 100_000;
        var random = new Random(7);
        var builder = new WeightedDigraphBuilder(nodes);
        var seen = new HashSet<long>();
        while (seen.Count < edges)
        {
            int u = random.Next(nodes), v = random.Next(nodes);
            if (u == v || !seen.Add((long)u * nodes + v)) continue;
            builder.Add(u, v, 0.05 + random.NextDouble());
        }
        var graph = builder.Build();

        var table = new ResultTable("algorithm (10^4 nodes, 10^5 edges)", "seconds", "vs unweighted betweenness");
        double unweighted = Time(() => new BetweennessCentrality(graph, EdgeLength.Unweighted).Compute());
        table.Add("betweenness, unweighted (BFS)", $"{unweighted:F2}", "1.00");
        double weighted = Time(() => new BetweennessCentrality(graph, EdgeLength.InverseWeight).Compute());
        table.Add("betweenness, 1/weight (Dijkstra)", $"{weighted:F2}", $"{weighted / unweighted:F2}");
        double louvain = Time(() => new LouvainCommunities(graph, seed: 0).Compute());
        table.Add("Louvain (undirected)", $"{louvain:F2}", $"{louvain / unweighted:F2}");
        table.Write(output);
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}
