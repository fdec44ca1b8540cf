using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;
using NeuroAlign.Alignment;
using NeuroAlign.Tables;
using nietras.SeparatedValues;

namespace NeuroAlign.Benchmarks.Tables;

/// <summary>
/// A million-row table read the way NeuroAlign reads it: the onsets of a BIDS-style events.tsv
/// (onset, duration, trial_type, response_time with n/a), and every number of a headerless
/// two-column physio.tsv.gz. Baseline: the hand-written parsing the readers had before the one
/// table reader (File.ReadAllLines + string.Split for events, StreamReader.ReadLine + span split
/// for physio); then the table reader (Sep underneath) and Sep alone, the floor for any reader
/// built on it. docs/benchmarks.md and docs/architecture.md hold the figures and the decision.
/// </summary>
[MemoryDiagnoser]
public class TableReadBenchmarks
{
    private const int Rows = 1_000_000;
    private string _folder = null!;
    private string _path = null!;

    [Params("events.tsv", "physio.tsv.gz")]
    public string File { get; set; } = "events.tsv";

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "neuroalign-bench-tables");
        Directory.CreateDirectory(_folder);
        _path = Path.Combine(_folder, File);
        if (System.IO.File.Exists(_path))
        {
            return;
        }

        var random = new Random(3);
        using Stream file = System.IO.File.Create(_path);
        using Stream output = File.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16);
        if (File == "events.tsv")
        {
            writer.Write("onset\tduration\ttrial_type\tresponse_time\n");
            for (int i = 0; i < Rows; i++)
            {
                string response = i % 7 == 0 ? "n/a" : (0.2 + random.NextDouble()).ToString("R", CultureInfo.InvariantCulture);
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{i * 2.5 + random.NextDouble():R}\t{0.5 + random.NextDouble():F3}\t{(i % 2 == 0 ? "go" : "stop")}\t{response}\n"));
            }
        }
        else
        {
            for (int i = 0; i < Rows; i++)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{random.Next(-3000, 3000)}\t{random.NextDouble() * 1000:F3}\n"));
            }
        }
    }

    [Benchmark(Baseline = true, Description = "hand-written, before (ReadAllLines + Split; physio: ReadLine + span split)")]
    public double HandWritten() => File == "events.tsv" ? HandWrittenEvents(_path) : HandWrittenPhysio(_path);

    [Benchmark(Description = "TableReader (Sep underneath): WindowTimes.FromTextFile / TableCursor.Number")]
    public double TableReaderRead()
    {
        if (File == "events.tsv")
        {
            return WindowTimes.FromTextFile(_path)[^1];
        }

        using TableCursor rows = TableReader.Open(_path, new TableOptions { Header = TableHeader.Absent, ColumnNames = ["a", "b"], Comments = false });
        byte[] row = new byte[16];
        double sum = 0;
        while (rows.MoveNext())
        {
            double a = rows.Number(0), b = rows.Number(1);
            BinaryPrimitives.WriteDoubleLittleEndian(row, a);
            BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(8), b);
            sum += a + b;
        }

        return sum;
    }

    [Benchmark(Description = "Sep alone (no n/a, comment, width or header handling)")]
    public double SepAlone()
    {
        using Stream file = System.IO.File.OpenRead(_path);
        using Stream input = File.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using SepReader reader = Sep.New('\t').Reader(o => o with { HasHeader = File == "events.tsv", CultureInfo = CultureInfo.InvariantCulture }).From(input);
        double sum = 0;
        int columns = File == "events.tsv" ? 1 : 2;
        foreach (SepReader.Row row in reader)
        {
            for (int c = 0; c < columns; c++)
            {
                sum += double.Parse(row[c].Span, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    // The events path of WindowTimes.FromTextFile before the table reader (header, onset column, n/a skipped).
    private static double HandWrittenEvents(string path)
    {
        string[] lines = System.IO.File.ReadAllLines(path);
        var rows = lines.Select((line, i) => (Line: line.TrimEnd('\r'), Number: i + 1))
            .Where(r => r.Line.Trim().Length > 0 && !r.Line.TrimStart().StartsWith('#'))
            .ToList();
        string[] header = Split(rows[0].Line);
        int column = Array.IndexOf(header, "onset");
        var times = new List<double>();
        foreach (var (line, _) in rows.Skip(1))
        {
            string cell = Split(line)[column];
            if (cell != "n/a")
            {
                times.Add(double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture));
            }
        }

        return times[^1];

        static string[] Split(string line) => line.Split('\t').Select(c => c.Trim().Trim('"')).ToArray();
    }

    // BidsPhysioStream's parse before the table reader.
    private static double HandWrittenPhysio(string path)
    {
        using var text = new GZipStream(System.IO.File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(text, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16);
        byte[] row = new byte[16];
        double sum = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int column = 0;
            foreach (Range field in line.AsSpan().Split('\t'))
            {
                ReadOnlySpan<char> value = line.AsSpan(field).Trim();
                double number = value.SequenceEqual("n/a") ? double.NaN : double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
                BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(column * 8), number);
                sum += number;
                column++;
            }
        }

        return sum;
    }
}
