using System.Globalization;
using System.IO.Compression;
using System.Text;
using NeuroAlign.Tables;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Tables;

public sealed class TableReaderTests
{
    private static string Write(TempFolder folder, string name, string text)
    {
        string path = folder.File(name);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private static string[][] Cells(Table table) =>
        Enumerable.Range(0, table.RowCount).Select(r => Enumerable.Range(0, table.Columns.Count).Select(c => table.Cell(r, c)).ToArray()).ToArray();

    [Fact]
    public void Read_QuotedCellsWithSeparatorQuoteAndNewline_OneCellEach()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "q.csv", "name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"two\nlines\",x\nlast,\"a\tb\"\n");

        Table table = TableReader.Read(path);

        Assert.Equal(["name", "note"], table.Columns);
        Assert.Equal([["Smith, J", "said \"hi\""], ["two\nlines", "x"], ["last", "a\tb"]], Cells(table));
        Assert.Equal([2, 3, 5], Enumerable.Range(0, 3).Select(table.LineOf));
    }

    [Fact]
    public void Read_QuotedTabInTsv_OneCell()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "e.tsv", "onset\tlabel\n1\t\"left\tright\"\n");

        Table table = TableReader.Read(path);

        Assert.Equal('\t', table.Separator);
        Assert.Equal("left\tright", table.Cell(0, 1));
    }

    [Fact]
    public void Read_MissingValues_NaNForNumbersNullForText()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "m.tsv", "onset\tduration\tkind\n1.5\tn/a\tgo\n2\t0.5\tn/a\n");

        Table table = TableReader.Read(path);

        Assert.True(double.IsNaN(table.Number(0, 1)));
        Assert.Equal(0.5, table.Number(1, 1));
        Assert.Equal(new string?[] { "go", null }, table.TextColumn(2).AsEnumerable());
        Assert.True(table.IsMissing(1, 2));
    }

    [Fact]
    public void Read_Utf8ByteOrderMark_NotPartOfTheFirstColumnName()
    {
        using var folder = new TempFolder();
        string path = folder.File("bom.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "time,x\n1,2\n"u8]);

        Table table = TableReader.Read(path);

        Assert.Equal("time", table.Columns[0]);
        Assert.Equal(0, table.TryIndexOf("time"));
    }

    [Fact]
    public void Read_CrLfLineEnds_NoCarriageReturnInCells()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "w.tsv", "a\tb\r\n1\t2\r\n3\t4\r\n");

        Table table = TableReader.Read(path);

        Assert.Equal([["1", "2"], ["3", "4"]], Cells(table));
        Assert.Equal([2, 3], [table.LineOf(0), table.LineOf(1)]);
    }

    [Fact]
    public void Read_CommentsAndBlankLines_SkippedWithFileLineNumbersKept()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "c.csv", "# made by rig 3, v2\n\n  # a 5\" screen, one quote\na,b\n1,2\n# middle, comment \"\n\n3,4\n");

        Table table = TableReader.Read(path);

        Assert.Equal(["a", "b"], table.Columns);
        Assert.Equal([["1", "2"], ["3", "4"]], Cells(table));
        Assert.Equal([5, 8], [table.LineOf(0), table.LineOf(1)]);
    }

    [Fact]
    public void Read_CommentsOff_HashIsData()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "h.tsv", "tag\tn\n#1\t2\n");

        Table table = TableReader.Read(path, new TableOptions { Comments = false });

        Assert.Equal("#1", table.Cell(0, 0));
    }

    [Fact]
    public void Read_Gzip_DetectedByMagicAndStreamed()
    {
        using var folder = new TempFolder();
        string path = folder.File("t.csv.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal))
        {
            gzip.Write("x,y\n"u8);
            for (int i = 0; i < 50_000; i++)
            {
                gzip.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{i},{i * 0.5}\n")));
            }
        }

        using TableCursor rows = TableReader.Open(path);
        int count = 0;
        while (rows.MoveNext())
        {
            Assert.Equal(count * 0.5, rows.Number(1));
            count++;
        }

        Assert.Equal(50_000, count);
    }

    [Fact]
    public void Read_TruncatedGzip_OneLineSayingTruncated()
    {
        using var folder = new TempFolder();
        string path = folder.File("t.tsv.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i}\t{i}\n"))));
        }

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^6]);

        var e = Assert.Throws<InvalidRecordingException>(() => TableReader.Read(path, new TableOptions { Header = TableHeader.Absent }));

        Assert.StartsWith(path + ": gzip stream", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Read_HeaderlessWithSidecarColumns_NamesFromSidecarAndWidthChecked()
    {
        using var folder = new TempFolder();
        string good = Write(folder, "p.tsv", "1\t2\n3\tn/a\n");
        string ragged = Write(folder, "r.tsv", "1\t2\n3\t4\t5\n");
        var options = new TableOptions { Header = TableHeader.Absent, ColumnNames = ["cardiac", "resp"], ColumnNamesSource = "the sidecar's Columns (x_physio.json)" };

        Table table = TableReader.Read(good, options);
        var e = Assert.Throws<InvalidRecordingException>(() => TableReader.Read(ragged, options));

        Assert.Equal(["cardiac", "resp"], table.Columns);
        Assert.False(table.HasHeader);
        Assert.Equal([1.0, 3.0], table.NumberColumn(0));
        Assert.True(double.IsNaN(table.Number(1, 1)));
        Assert.Equal($"{ragged}: line 2: found 3 cells, expected 2, one per name in the sidecar's Columns (x_physio.json) (tab-separated)", e.Message);
    }

    [Fact]
    public void Read_RaggedRow_OneLineNamingFileLineAndBothCounts()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "r.csv", "a,b\n1,2\n3\n");

        var e = Assert.Throws<InvalidRecordingException>(() => TableReader.Read(path));

        Assert.Equal($"{path}: line 3: found 1 cells, expected 2, one per header column (comma-separated; header on line 1)", e.Message);
    }

    [Fact]
    public void Read_ShortRowsAllowed_MissingCellsEmptyLongRowsRefused()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "s.tsv", "a\tb\tc\n1\n");
        string tooLong = Write(folder, "l.tsv", "a\tb\n1\t2\t3\n");
        var options = new TableOptions { AllowShortRows = true };

        Table table = TableReader.Read(path, options);

        Assert.Equal(["1", "", ""], Cells(table)[0]);
        Assert.Throws<InvalidRecordingException>(() => TableReader.Read(tooLong, options));
    }

    [Theory]
    [InlineData("t.tsv", "onset\n1\n", '\t')]
    [InlineData("t.tsv.gz.txt", "a\tb\n1\t2\n", '\t')]
    [InlineData("t.txt", "a,b\n1,2\n", ',')]
    [InlineData("t.csv", "# a, comment\ta tab\na,b\n1,2\n", ',')]
    [InlineData("t.csv", "\"a\tb\",c\n1,2\n", ',')]
    [InlineData("t.txt", "a\tb,c\n1\t2,3\n", '\t')]
    public void Open_SeparatorDetected_FromNameOrFirstContentLine(string name, string text, char expected)
    {
        using var folder = new TempFolder();
        string path = Write(folder, name, text);

        using TableCursor rows = TableReader.Open(path);

        Assert.Equal(expected, rows.Separator);
    }

    [Theory]
    [InlineData("1\n2\n", false)]
    [InlineData("n/a\n2\n", false)]
    [InlineData("-1.5e3,2\n", false)]
    [InlineData("time\n2\n", true)]
    [InlineData("1,b\n", true)]
    public void Open_DetectHeader_AHeaderWhenACellIsNotANumber(string text, bool header)
    {
        using var folder = new TempFolder();
        string path = Write(folder, "d.csv", text);

        using TableCursor rows = TableReader.Open(path, new TableOptions { Header = TableHeader.Detect });

        Assert.Equal(header, rows.HasHeader);
    }

    [Fact]
    public void Number_CultureWithDecimalComma_StillReadsAPoint()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "n.tsv", "x\n1.5\n-2e-3\n");
        CultureInfo saved = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        try
        {
            CultureInfo.CurrentCulture = comma;
            Assert.Equal([1.5, -0.002], TableReader.Read(path).NumberColumn(0));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Number_NotANumber_OneLineNamingLineColumnAndText()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "b.tsv", "onset\tduration\n1\t2\n1,5\t2\n");

        var e = Assert.Throws<InvalidRecordingException>(() => TableReader.Read(path).NumberColumn(0, "a number of seconds"));

        Assert.Equal($"{path}: line 3, column onset: found '1,5', expected a number of seconds", e.Message);
    }

    [Fact]
    public void Read_EmptyFileWithHeaderRequired_OneLine()
    {
        using var folder = new TempFolder();
        string path = Write(folder, "e.tsv", "# only a comment\n\n");

        var e = Assert.Throws<InvalidRecordingException>(() => TableReader.Read(path));

        Assert.Equal($"{path}: line 1: found no header line, expected a header naming the columns", e.Message);
    }

    [Fact]
    public void Open_MissingFile_CannotRead()
    {
        var e = Assert.Throws<NeuroAlignException>(() => TableReader.Open("/nonexistent/t.tsv"));

        Assert.Equal("/nonexistent/t.tsv: cannot read: no such folder", e.Message);
    }
}
