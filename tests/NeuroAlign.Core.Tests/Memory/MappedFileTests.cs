using NeuroAlign.Memory;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Memory;

[Collection(ProcessMemoryCollection.Name)]
public class MappedFileTests
{
    [Fact]
    public void GetMemory_Range_SameBytesAsTheFileAndAsGetSpan()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.bin");
        byte[] bytes = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, bytes);
        using var file = MappedFile.OpenRead(path);

        ReadOnlyMemory<byte> memory = file.GetMemory(1234, 5000);

        Assert.True(memory.Span.SequenceEqual(bytes.AsSpan(1234, 5000)));
        Assert.True(memory[10..20].Span.SequenceEqual(file.GetSpan(1244, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.GetMemory(9000, 1001));
    }

    [RequiresFact(Needs.ProcStatus)]
    public void ReleaseMemory_MappedPagesRead_LeaveTheProcessButStayReadable()
    {
        using var folder = new TempFolder();
        string path = folder.File("big.bin");
        const int size = 64 << 20;
        byte[] bytes = new byte[size];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        using var file = MappedFile.OpenRead(path);
        ReadOnlyMemory<byte> memory = file.GetMemory(4096 + 100, size - 8192);
        long before = ProcStatus.RssFileKiB();
        long sum = 0;
        for (int i = 0; i < memory.Length; i += 4096)
        {
            sum += memory.Span[i];
        }

        long afterRead = ProcStatus.RssFileKiB();
        MappedFile.ReleaseMemory(memory);
        long afterRelease = ProcStatus.RssFileKiB();

        Assert.True(afterRead - before > 48 * 1024, $"reading 64 MB mapped {afterRead - before} KiB");
        Assert.True(afterRelease - before < 4 * 1024, $"after release {afterRelease - before} KiB stay mapped");
        Assert.True(memory.Span.SequenceEqual(bytes.AsSpan(4096 + 100, size - 8192)));
        Assert.True(sum > 0);
    }

    [RequiresFact(Needs.ProcStatus)]
    public void PopulateMemory_MapsTheRangesPagesWithoutReadingThem_AndChangesNothing()
    {
        using var folder = new TempFolder();
        string path = folder.File("big.bin");
        const int size = 64 << 20;
        byte[] bytes = new byte[size];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        using var file = MappedFile.OpenRead(path);
        ReadOnlyMemory<byte> memory = file.GetMemory(4096 + 100, size - 8192);
        long before = ProcStatus.RssFileKiB();

        MappedFile.PopulateMemory(memory);
        long afterPopulate = ProcStatus.RssFileKiB();
        MappedFile.PopulateMemory(new byte[] { 1, 2, 3 });

        Assert.True(afterPopulate - before > 48 * 1024, $"populating 64 MB mapped {afterPopulate - before} KiB");
        Assert.True(memory.Span.SequenceEqual(bytes.AsSpan(4096 + 100, size - 8192)));
    }

    [Fact]
    public void ReleaseMemory_OrdinaryMemory_DoesNothing()
    {
        byte[] bytes = [1, 2, 3];

        MappedFile.ReleaseMemory(bytes);

        Assert.Equal([1, 2, 3], bytes);
    }
}
