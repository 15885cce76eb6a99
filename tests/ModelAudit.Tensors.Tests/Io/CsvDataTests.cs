using ModelAudit.Tensors.Io;

namespace ModelAudit.Tensors.Tests.Io;

public sealed class CsvDataTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("csv-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_temp, "t.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("1e39")]
    public void LabelsAsClassIndices_NotAWholeNumber_NamesFileColumnAndRow(string label)
    {
        // Found by the fuzz tests with another seed: the message did not name the file.
        var path = Write($"a,label\n1,0\n2,{label}\n");
        var csv = CsvData.Read(path, hasHeader: true, labelColumn: "label");
        var e = Assert.Throws<DataFileException>(() => csv.LabelsAsClassIndices(path));
        Assert.StartsWith($"{path}: label column 'label', data row 2: value ", e.Message);
    }

    [Fact]
    public void Read_HeaderAndLabelByName_SplitsLabelOut()
    {
        var path = Write("a,label,b\n1.5,0,2\n\n-3,2,4e-1\n");
        var csv = CsvData.Read(path, hasHeader: true, labelColumn: "label");
        Assert.Equal(2, csv.Rows);
        Assert.Equal(["a", "b"], csv.FeatureNames);
        Assert.Equal(new[] { 1.5f, 2f, -3f, 0.4f }, csv.Features);
        Assert.Equal(new long[] { 0, 2 }, csv.LabelsAsClassIndices(path));
        Assert.Equal("label", csv.LabelName);
        Assert.Equal(new TensorShape(2, 2), csv.ToTensor().Shape);
    }

    [Fact]
    public void Read_NoHeaderLabelByNegativeIndex_UsesLastColumn()
    {
        var csv = CsvData.Read(Write("1,2,3\n4,5,6\n"), hasHeader: false, labelColumn: "-1");
        Assert.Equal(new[] { 1f, 2f, 4f, 5f }, csv.Features);
        Assert.Equal(new double[] { 3, 6 }, csv.Labels);
        Assert.Equal(["c0", "c1"], csv.FeatureNames);
    }

    [Fact]
    public void Read_NoLabel_AllColumnsAreFeatures()
    {
        var csv = CsvData.Read(Write("1,2\n3,4\n"), hasHeader: false);
        Assert.Null(csv.Labels);
        Assert.Equal(2, csv.Columns);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, csv.Features);
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,x\n", null, ":3: column 'b': 'x' is not a number")]
    [InlineData("a,b\n1,2\n3\n", null, ":3: expected 2 columns, got 1")]
    [InlineData("a,b\n1,2\n", "c", "no label column 'c' (columns: a, b)")]
    [InlineData("a,b\n1,2\n", "5", "label column index 5 is out of range")]
    [InlineData("", null, "the file is empty")]
    public void Read_BadFile_ErrorNamesFileAndLine(string text, string? label, string problem)
    {
        var path = Write(text);
        var e = Assert.Throws<DataFileException>(() => CsvData.Read(path, hasHeader: true, labelColumn: label));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Read_QuotedHeaderWithComma_OneColumnNamedWhole()
    {
        // The case: a split on every comma made three header cells of two and failed the width check.
        var path = Write("\"sepal length, cm\",\"species\"\n5.1,0\n4.9,2\n");
        var csv = CsvData.Read(path, hasHeader: true, labelColumn: "species");
        Assert.Equal(["sepal length, cm"], csv.FeatureNames);
        Assert.Equal(new[] { 5.1f, 4.9f }, csv.Features);
        Assert.Equal(new long[] { 0, 2 }, csv.LabelsAsClassIndices(path));
    }

    [Fact]
    public void Read_QuotedHeaderByName_LabelColumnMatchesUnescapedName()
    {
        var csv = CsvData.Read(Write("\"a \"\"b\"\"\", \"label, y\" \n1,3\n"), hasHeader: true, labelColumn: "label, y");
        Assert.Equal(["a \"b\""], csv.FeatureNames);
        Assert.Equal("label, y", csv.LabelName);
        Assert.Equal(new double[] { 3 }, csv.Labels);
    }

    [Fact]
    public void Read_QuotedNumbersAndSpaces_ParsedAsNumbers()
    {
        var csv = CsvData.Read(Write("\"1.5\", 2 ,\"-3e-1\"\r\n 4,\"5\",6\r\n"), hasHeader: false);
        Assert.Equal(new[] { 1.5f, 2f, -0.3f, 4f, 5f, 6f }, csv.Features);
        Assert.Equal(2, csv.Rows);
    }

    [Fact]
    public void Read_QuotedLineBreakInHeader_LaterErrorsNameTheirOwnLine()
    {
        // The header spans lines 1-2; the bad cell is on line 4 of the file.
        var path = Write("\"first\nfeature\",b\n1,2\n3,x\n");
        var e = Assert.Throws<DataFileException>(() => CsvData.Read(path, hasHeader: true));
        Assert.Equal($"{path}:4: column 'b': 'x' is not a number", e.Message);
    }

    [Fact]
    public void Read_UnterminatedQuote_OneLineErrorWithLine()
    {
        var path = Write("a,b\n1,2\n3,\"4\n5,6\n");
        var e = Assert.Throws<DataFileException>(() => CsvData.Read(path, hasHeader: true));
        Assert.StartsWith($"{path}:3: column 'b': ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("a,b\n1,2\n\n3,4\n", true, 2)]
    [InlineData("1,2\n3,4\n5,6", false, 3)]
    [InlineData("\"x\ny\",b\n1,2\n", true, 1)]
    [InlineData("a,b\n", true, 0)]
    [InlineData("", true, 0)]
    public void CountRows_BlankLinesAndQuotedBreaks_CountsDataRows(string text, bool header, int expected)
        => Assert.Equal(expected, CsvData.CountRows(Write(text), header));
}
