using System.Text.Json;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Formats.Nifti;

public sealed class NiftiWriterTests
{
    [RequiresFact(Needs.Python)]
    public void Write_Int16Gzip_NibabelReadsSameShapeValuesAndTr()
    {
        using var temp = new TempFolder();
        string path = temp.File("written.nii.gz");
        NiftiTestFiles.Write(path, 5, 4, 3, 2, new NiftiWriteOptions(RepetitionTime: 1.5, SclSlope: 0.5f, SclInter: 1));

        string output = Python.Run(
            """
            import sys, json, nibabel as nib, numpy as np
            img = nib.load(sys.argv[1])
            d = img.get_fdata()
            print(json.dumps({"shape": list(img.shape), "tr": float(img.header.get_zooms()[3]), "units": img.header.get_xyzt_units()[1],
                              "v": float(d[1, 2, 0, 1]), "dtype": str(img.get_data_dtype())}))
            """,
            path);
        JsonElement facts = JsonDocument.Parse(output).RootElement;

        Assert.Equal([5, 4, 3, 2], facts.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(1.5, facts.GetProperty("tr").GetDouble());
        Assert.Equal("sec", facts.GetProperty("units").GetString());
        Assert.Equal("int16", facts.GetProperty("dtype").GetString());
        Assert.Equal((NiftiTestFiles.Value(1, 2, 0, 1) * 0.5) + 1, facts.GetProperty("v").GetDouble());
    }
}
