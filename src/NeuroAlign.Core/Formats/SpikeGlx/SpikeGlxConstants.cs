namespace NeuroAlign.Formats.SpikeGlx;

/// <summary>
/// Metadata keys and fixed values of SpikeGLX (Markdown/Metadata_30.md in billkarsh/SpikeGLX, and the
/// readSGLX.py reference reader's ChanGainsIM / ChanGainNI / Int2Volts).
/// </summary>
internal static class SpikeGlxConstants
{
    public const string MetaExtension = ".meta";
    public const string BinExtension = ".bin";

    // Common to all files.
    public const string TypeThis = "typeThis";
    public const string SavedChannelCount = "nSavedChans";
    public const string SaveChannelSubset = "snsSaveChanSubset";
    public const string FirstSample = "firstSample";
    public const string FileSizeBytes = "fileSizeBytes";
    public const string ChannelMapTable = "snsChanMap";
    public const string ShankMapTable = "snsShankMap";
    public const string GeometryMapTable = "snsGeomMap";
    public const string SyncSourceIndex = "syncSourceIdx";

    // Imec streams.
    public const string TypeImec = "imec";
    public const string ImecSampleRate = "imSampRate";
    public const string ImecRangeMax = "imAiRangeMax";
    public const string ImecMaxInt = "imMaxInt";
    public const string ImecProbeType = "imDatPrb_type";
    public const string ImecChan0ApGain = "imChan0apGain";
    public const string ImecChan0LfGain = "imChan0lfGain";
    public const string ImecAcquiredApLfSy = "acqApLfSy";
    public const string ImecSavedApLfSy = "snsApLfSy";
    public const string ImroTable = "imroTbl";

    // Nidq streams.
    public const string TypeNidq = "nidq";
    public const string NidqSampleRate = "niSampRate";
    public const string NidqRangeMax = "niAiRangeMax";
    public const string NidqMaxInt = "niMaxInt";
    public const string NidqMnGain = "niMNGain";
    public const string NidqMaGain = "niMAGain";
    public const string NidqSavedMnMaXaDw = "snsMnMaXaDw";
    public const string NidqDigitalLines1 = "niXDChans1";
    public const string NidqDigitalLines2 = "niXDChans2";
    public const string NidqDigitalBytes1 = "niXDBytes1";
    public const string NidqSyncChannel = "syncNiChan";
    public const string NidqSyncChannelType = "syncNiChanType";

    /// <summary>"Imax = 32768" for nidq analog channels (Metadata_30.md, niAiRangeMax).</summary>
    public const int NidqDefaultMaxInt = 32768;

    /// <summary>10-bit ADC of NP 1.0 and phase 3A/3B probes (readSGLX.Int2Volts' default).</summary>
    public const int Np1DefaultMaxInt = 512;

    /// <summary>14-bit ADC of NP 2.0 probes, for metadata written before imMaxInt existed.</summary>
    public const int Np2DefaultMaxInt = 8192;

    /// <summary>"The signal is recorded in the data for each probe as bit 6 of that stream's aux (SY) word" (Metadata_30.md, syncImInputSlot).</summary>
    public const int ImecSyncBit = 6;

    /// <summary>Bits of one saved digital word (16-bit samples).</summary>
    public const int WordBits = 16;

    /// <summary>
    /// Probe types whose ~imroTbl entries are (channel bank refid apGain lfGain [apHiPass]), so gains
    /// are per channel: NP 1.0 and its variants (readSGLX.ChanGainsIM's np1_imro list, plus the
    /// NHP/UHD types Neo reads the same way). Metadata without imDatPrb_type (phase 3A/3B1) is NP 1.0 too.
    /// </summary>
    public static readonly int[] Np1ImroProbeTypes = [0, 1015, 1020, 1022, 1030, 1031, 1032, 1100, 1120, 1121, 1122, 1123, 1200, 1300];

    /// <summary>Field positions in an NP 1.0 ~imroTbl entry.</summary>
    public const int ImroApGainField = 3;

    public const int ImroLfGainField = 4;

    /// <summary>Default AP gain of NP 2.0 probes without imChan0apGain: 80 for the prototype types 21 and 24 (Metadata_30.md: "gain = 80 (fixed)").</summary>
    public static readonly int[] Np2Gain80ProbeTypes = [21, 24];

    /// <summary>Default AP gain of commercial NP 2.0 probes without imChan0apGain: 100 (readSGLX.ChanGainsIM, type 2013).</summary>
    public static readonly int[] Np2Gain100ProbeTypes = [2003, 2004, 2013, 2014, 2020, 2021];
}
