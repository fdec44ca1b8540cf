using System.Runtime.InteropServices;
using System.Text.Json;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests.Pose;

/// <summary>
/// The independent reading of a pose file: pandas (read_hdf, read_csv; PyTables underneath) for
/// DeepLabCut and SLEAP CSV, h5py for SLEAP analysis and labels (.slp) files, laid out as [frame, individual,
/// bodypart, (x, y, score)] float32.
/// </summary>
internal static class PoseOracle
{
    private const string Script = """
import sys, json
import numpy as np, pandas as pd, h5py
kind, path, out = sys.argv[1:4]
def uniq(seq):
    seen = []
    for s in seq:
        if s not in seen: seen.append(s)
    return seen
if kind in ('dlc-h5', 'dlc-csv'):
    if kind == 'dlc-h5':
        df = pd.read_hdf(path)
    else:
        with open(path) as f:
            f.readline(); second = f.readline()
        rows = 4 if second.startswith('individuals,') else 3
        df = pd.read_csv(path, header=list(range(rows)), index_col=0)
    names = list(df.columns.names)
    assert list(df.index) == list(range(len(df))), 'index is not the frame number'
    cols = list(df.columns)
    ind = [c[names.index('individuals')] if 'individuals' in names else 'individual_0' for c in cols]
    bp = [c[names.index('bodyparts')] for c in cols]
    co = [c[names.index('coords')] for c in cols]
    I, K = uniq(ind), uniq(bp)
    arr = np.full((len(df), len(I), len(K), 3), np.nan, dtype=np.float32)
    values = df.to_numpy(dtype=np.float64)
    for j in range(len(cols)):
        arr[:, I.index(ind[j]), K.index(bp[j]), ['x', 'y', 'likelihood'].index(co[j])] = values[:, j]
elif kind == 'sleap-h5':
    with h5py.File(path, 'r') as f:
        tracks = f['tracks'][:]            # (track, 2, node, frame) as SLEAP writes it
        K = [n.decode() for n in f['node_names'][:]]
        T, F = tracks.shape[0], tracks.shape[3]
        names = f['track_names'][:] if 'track_names' in f else []
        I = [n.decode() for n in names] if len(names) == T else ['individual_%d' % t for t in range(T)]
        arr = np.full((F, T, len(K), 3), np.nan, dtype=np.float32)
        arr[:, :, :, 0] = np.transpose(tracks[:, 0, :, :], (2, 0, 1))
        arr[:, :, :, 1] = np.transpose(tracks[:, 1, :, :], (2, 0, 1))
        if 'point_scores' in f:
            arr[:, :, :, 2] = np.transpose(f['point_scores'][:], (2, 0, 1))
elif kind == 'sleap-csv':
    df = pd.read_csv(path, keep_default_na=False, na_values=['', 'nan'])
    K = [c[:-2] for c in df.columns[3::3]]
    track = ['individual_0' if (isinstance(t, float) and np.isnan(t)) or t == '' else str(t) for t in df['track']]
    I = uniq(track)
    F = int(df['frame_idx'].max()) + 1
    arr = np.full((F, len(I), len(K), 3), np.nan, dtype=np.float32)
    for r in range(len(df)):
        for k, node in enumerate(K):
            for c, coord in enumerate(['x', 'y', 'score']):
                arr[int(df['frame_idx'][r]), I.index(track[r]), k, c] = df[node + '.' + coord][r]
elif kind == 'sleap-slp':
    # The labels file decoded from its tables with h5py: skeleton order from the metadata JSON,
    # frames -> instances -> points ranges, user labels over predictions, invisible points NaN.
    with h5py.File(path, 'r') as f:
        meta = json.loads(bytes(f['metadata'].attrs['json']).decode())
        fmt = float(f['metadata'].attrs.get('format_id', 1.0))
        names = [n['name'] for n in meta['nodes']]
        K = [names[n['id']] for n in meta['skeletons'][0]['nodes']]
        tracks = [json.loads(t)[1] for t in f['tracks_json'][:]] if 'tracks_json' in f else []
        frames, insts = f['frames'][:], f['instances'][:]
        pts = {0: f['points'][:], 1: f['pred_points'][:]}
        untracked = bool((insts['track'] == -1).any())
        I = tracks + ([('untracked' if tracks else 'individual_0')] if untracked else []) if (tracks or untracked) else ['individual_0']
        F = int(frames['frame_idx'].max()) + 1
        arr = np.full((F, len(I), len(K), 3), np.nan, dtype=np.float32)
        rank = np.zeros((F, len(I)), dtype=np.int8)
        shift = 0.5 if fmt < 1.1 else 0.0
        for fr in frames:
            for i in range(int(fr['instance_id_start']), int(fr['instance_id_end'])):
                inst = insts[i]
                kind_ = int(inst['instance_type'])
                slot = int(inst['track']) if inst['track'] >= 0 else len(I) - 1
                r = 2 if kind_ == 0 else 1
                assert rank[fr['frame_idx'], slot] != r, 'two instances in one slot'
                if rank[fr['frame_idx'], slot] > r: continue
                rank[fr['frame_idx'], slot] = r
                p = pts[kind_][int(inst['point_id_start']):int(inst['point_id_end'])]
                vis = p['visible'].astype(bool)
                arr[fr['frame_idx'], slot, :, 0] = np.where(vis, p['x'] - shift, np.nan)
                arr[fr['frame_idx'], slot, :, 1] = np.where(vis, p['y'] - shift, np.nan)
                arr[fr['frame_idx'], slot, :, 2] = np.where(vis, p['score'], np.nan) if kind_ == 1 else np.nan
arr.astype('<f4').tofile(out)
print(json.dumps({'individuals': I, 'bodyparts': K, 'shape': list(arr.shape)}))
""";

    public static (string[] Individuals, string[] Bodyparts, int[] Shape, float[] Values) Read(string kind, string path)
    {
        string output = Path.Combine(Path.GetTempPath(), $"pose-oracle-{Guid.NewGuid():N}.f32");
        try
        {
            using JsonDocument doc = JsonDocument.Parse(Python.Run(Script, kind, path, output));
            JsonElement root = doc.RootElement;
            float[] values = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
            return (
                root.GetProperty("individuals").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                root.GetProperty("bodyparts").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                values);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
