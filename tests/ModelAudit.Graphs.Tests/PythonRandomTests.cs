namespace ModelAudit.Graphs.Tests;

public class PythonRandomTests
{
    [Fact]
    public void NextAndShuffle_CPythonGolden_Identical()
    {
        foreach (var golden in Goldens.Load<PythonRandomGolden>("python_random"))
        {
            var random = new PythonRandom(golden.Seed);

            var outputs = golden.Outputs.Select(_ => random.NextUInt32()).ToArray();
            Assert.Equal(golden.Outputs, outputs);
            foreach (var expected in golden.Shuffles)
            {
                var items = Enumerable.Range(0, expected.Length).ToArray();
                random.Shuffle(items);
                Assert.Equal(expected, items);
            }
        }
    }
}
