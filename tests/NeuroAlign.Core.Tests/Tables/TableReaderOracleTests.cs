using System.Globalization;
using System.Text.Json;
using NeuroAlign.Alignment;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Tables;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Tables;

/// <summary>
/// The table reader against independent readers: python's csv and gzip modules (no pandas) on
/// random tables python writes, and on the real BIDS files in ../shared/data.
/// </summary>
public sealed class TableReaderOracleTests
{
    // Writes random tables with python's csv module (comma or tab, minimal or full quoting, LF or
    // CRLF), cells drawn from an alphabet full of separators, quotes, newlines, #, n/a and numbers;
    // prints what python put in each file as JSON.
    private const string WriteRandomTables = """
        import csv, json, random, sys
        folder, count = sys.argv[1], int(sys.argv[2])
        # No lone \r: python's writer leaves it unquoted and its own reader then splits the row there.
        alphabet = list('abcXYZ019.,-+e \t"\'#\nélπ;|')
        tables = []
        for k in range(count):
            rng = random.Random(1000 + k)
            delimiter = rng.choice([',', '\t'])
            quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
            terminator = rng.choice(['\n', '\r\n'])
            ncols, nrows = rng.randint(2, 6), rng.randint(1, 40)
            def cell():
                kind = rng.random()
                if kind < 0.1: return 'n/a'
                if kind < 0.3: return repr(rng.uniform(-1e6, 1e6))
                if kind < 0.35: return ''
                text = ''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
                # Unquoted blanks around a cell are trimmed by the reader, as by the readers before it.
                return text.strip(' ') if quoting == csv.QUOTE_MINIMAL else text
            header = ['c%d_%s' % (i, rng.choice(['x', 'a,b', 'q"t', 't\tb'])) for i in range(ncols)]
            rows = [[cell() for _ in range(ncols)] for _ in range(nrows)]
            path = '%s/t%d.%s' % (folder, k, 'tsv' if delimiter == '\t' else 'csv')
            with open(path, 'w', newline='', encoding='utf-8') as f:
                w = csv.writer(f, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
                w.writerow(header)
                w.writerows(rows)
            tables.append({'path': path, 'header': header, 'rows': rows})
        print(json.dumps(tables))
        """;

    [RequiresFact(Needs.Python)]
    public void Read_RandomTablesWrittenByPythonCsv_ReadBackEqual()
    {
        using var folder = new TempFolder();
        using JsonDocument written = JsonDocument.Parse(Python.Run(WriteRandomTables, folder.Path, "60"));

        foreach (JsonElement expected in written.RootElement.EnumerateArray())
        {
            string path = expected.GetProperty("path").GetString()!;
            string[] header = expected.GetProperty("header").EnumerateArray().Select(e => e.GetString()!).ToArray();
            string[][] rows = expected.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetString()!).ToArray()).ToArray();

            // Comments off: python does not quote a cell that starts with #. The separator is given:
            // python does not quote a tab in a comma-separated cell, which makes detection ambiguous.
            char separator = path.EndsWith(".tsv", StringComparison.Ordinal) ? '\t' : ',';
            Table table = TableReader.Read(path, new TableOptions { Comments = false, Separator = separator });

            Assert.Equal(header, table.Columns);
            Assert.Equal(rows.Length, table.RowCount);
            for (int r = 0; r < rows.Length; r++)
            {
                for (int c = 0; c < header.Length; c++)
                {
                    string cell = rows[r][c];
                    Assert.True(cell == table.Cell(r, c), $"{path} row {r} column {c}: python wrote [{cell}], read [{table.Cell(r, c)}]");
                    if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                    {
                        Assert.Equal(number, table.Number(r, c));
                    }
                }
            }
        }
    }

    [RequiresFact(Needs.Python)]
    public void Read_CommentsInRandomPlaces_SameRowsAsPythonSkippingThem()
    {
        using var folder = new TempFolder();
        string path = folder.File("c.csv");
        // Python writes the rows, then comment lines (with odd quotes and separators) are spliced in
        // between records; python's csv reads the file back skipping lines that start with #.
        string script = """
            import csv, io, random, sys
            rng = random.Random(5)
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator='\n')
            w.writerow(['a', 'b'])
            for i in range(300):
                w.writerow([rng.choice(['x', 'y,z', 'q"q', 'two\nlines', '#not, a comment']), repr(rng.random())])
            records = list(csv.reader(io.StringIO(buf.getvalue())))
            out = []
            # Re-serialise record by record, putting comments between records only.
            for rec in records:
                if rng.random() < 0.3:
                    out.append(rng.choice(['# a 5" screen, odd quote', '   # indented, "', '#\t\ttabs']) + '\n')
                s = io.StringIO(); csv.writer(s, lineterminator='\n').writerow(rec); out.append(s.getvalue())
            open(sys.argv[1], 'w', newline='').write(''.join(out))
            kept = [r for r in csv.reader(l for l in io.StringIO(''.join(out)) if not l.lstrip(' \t').startswith('#'))]
            print(len(kept) - 1)
            """;

        int expectedRows = int.Parse(Python.Run(script, path).Trim(), CultureInfo.InvariantCulture);
        Table table = TableReader.Read(path);

        Assert.Equal(["a", "b"], table.Columns);
        Assert.Equal(expectedRows, table.RowCount);
        Assert.Contains(Enumerable.Range(0, table.RowCount), r => table.Cell(r, 0) == "two\nlines");
        Assert.Contains(Enumerable.Range(0, table.RowCount), r => table.Cell(r, 0) == "#not, a comment");
    }

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void BidsEvents_Ds001_EveryCellAsPythonCsvReadsIt()
    {
        string path = RepoPaths.Shared("bids", "ds001", "sub-01", "func", "sub-01_task-balloonanalogrisktask_run-01_events.tsv");
        using JsonDocument oracle = JsonDocument.Parse(Python.Run(
            "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline=''), delimiter='\\t'))))", path));
        string[][] rows = oracle.RootElement.EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetString()!).ToArray()).ToArray();

        BidsEvents events = BidsEvents.Read(path);
        double[] windows = WindowTimes.FromTextFile(path);

        Assert.Equal(rows[0], events.Columns);
        Assert.Equal(rows.Length - 1, events.Count);
        for (int c = 0; c < rows[0].Length; c++)
        {
            IReadOnlyList<string?> column = events.GetColumn(rows[0][c]);
            Assert.Equal(rows.Skip(1).Select(r => r[c] == "n/a" ? null : r[c]), column);
        }

        double[] onsets = rows.Skip(1).Select(r => double.Parse(r[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(onsets, events.OnsetsSeconds);
        Assert.Equal(onsets, windows);
    }

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void PhysioHeaderless_Ds210_SameNumbersAsPythonGzipCsvAndLoadtxt()
    {
        // ds210's physio has no header: its columns come from sub-01/sub-01_task-rest_physio.json, a level up.
        string path = RepoPaths.Shared("bids", "ds210", "sub-01", "func", "sub-01_task-rest_run-01_physio.tsv.gz");
        using var temp = new TempFolder();
        string csvOracle = temp.File("csv.bin"), loadtxtOracle = temp.File("loadtxt.bin");
        Python.Run(
            """
            import csv, gzip, struct, sys, numpy
            with gzip.open(sys.argv[1], 'rt', newline='') as f:
                values = [float('nan') if v == 'n/a' else float(v) for row in csv.reader(f, delimiter='\t') for v in row]
            open(sys.argv[2], 'wb').write(struct.pack('<%dd' % len(values), *values))
            numpy.loadtxt(sys.argv[1], delimiter='\t', dtype='<f8').tofile(sys.argv[3])
            """,
            path,
            csvOracle,
            loadtxtOracle);
        double[] expected = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(csvOracle)).ToArray();
        Assert.Equal(expected, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(loadtxtOracle)).ToArray());

        using TableCursor rows = TableReader.Open(path, new TableOptions { Header = TableHeader.Absent, ColumnNames = ["cardiac", "respiratory"], Comments = false });
        var read = new List<double>();
        while (rows.MoveNext())
        {
            read.Add(rows.Number(0));
            read.Add(rows.Number(1));
        }

        using BidsPhysioStream stream = BidsPhysioStream.Open(path, new BidsPhysioOptions(CacheDirectory: temp.File("cache")));
        var block = new byte[checked((int)stream.SampleCount * 2 * sizeof(double))];
        stream.ReadBlock(0, (int)stream.SampleCount, block);

        Assert.Equal(30600, expected.Length / 2);
        Assert.Equal(expected, read);
        Assert.Equal(["cardiac", "respiratory"], stream.Columns);
        Assert.Equal(expected, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(block).ToArray());
    }
}
