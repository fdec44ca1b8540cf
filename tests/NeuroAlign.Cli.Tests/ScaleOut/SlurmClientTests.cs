using NeuroAlign.Cli.ScaleOut;

namespace NeuroAlign.Cli.Tests.ScaleOut;

/// <summary>Parsing what Slurm 22.05 prints, on lines copied from the test cluster.</summary>
public class SlurmClientTests
{
    [Fact]
    public void ParseCompletionLog_ArrayTasks_StateExitAndWorkDirPerTask()
    {
        string[] lines =
        [
            "JobId=3 UserId=root(0) GroupId=root(0) Name=t.sh JobState=COMPLETED Partition=debug TimeLimit=UNLIMITED StartTime=2026-11-26T03:15:53 EndTime=2026-11-26T03:15:54 NodeList=localhost NodeCnt=1 ProcCnt=1 WorkDir=/tmp/slx ReservationName= Tres=cpu=1,mem=2000M,node=1,billing=1 Account= QOS= WcKey= Cluster=unknown SubmitTime=2026-11-26T03:15:53 EligibleTime=2026-11-26T03:15:53 ArrayJobId=1 ArrayTaskId=1 DerivedExitCode=0:0 ExitCode=0:0 ",
            "JobId=1 UserId=root(0) GroupId=root(0) Name=t.sh JobState=FAILED Partition=debug TimeLimit=UNLIMITED StartTime=2026-11-26T03:15:54 EndTime=2026-11-26T03:15:56 NodeList=localhost NodeCnt=1 ProcCnt=1 WorkDir=/tmp/a b ReservationName= Tres=cpu=1,mem=2000M,node=1,billing=1 Account= QOS= WcKey= Cluster=unknown SubmitTime=2026-11-26T03:15:53 EligibleTime=2026-11-26T03:15:53 ArrayJobId=1 ArrayTaskId=2 DerivedExitCode=0:0 ExitCode=3:0 ",
            "JobId=11 UserId=root(0) GroupId=root(0) Name=other JobState=COMPLETED Partition=debug TimeLimit=5 WorkDir=/elsewhere ArrayJobId=10 ArrayTaskId=0 ExitCode=0:0",
            "JobId=4 UserId=root(0) GroupId=root(0) Name=neuro-align-merge JobState=CANCELLED Partition=debug TimeLimit=5 WorkDir=/w ExitCode=0:0",
        ];

        var tasks = SlurmClient.ParseCompletionLog("1", lines);
        var merge = SlurmClient.ParseCompletionLog("4", lines);

        Assert.Equal(
            [new SlurmJobState(1, "COMPLETED", "0:0", "/tmp/slx", null), new SlurmJobState(2, "FAILED", "3:0", "/tmp/a b", null)],
            tasks);
        Assert.Equal([new SlurmJobState(null, "CANCELLED", "0:0", "/w", null)], merge);
        Assert.Empty(SlurmClient.ParseCompletionLog("2", lines));
    }

    [Fact]
    public void ParseQueue_ExpandedArray_TaskStatesAndReasons()
    {
        string text = "12_0|RUNNING|/w|None\n12_1|PENDING|/w|Resources\n120_1|PENDING|/x|None\n13|PENDING|/w|Dependency\n";

        Assert.Equal(
            [new SlurmJobState(0, "RUNNING", null, "/w", null), new SlurmJobState(1, "PENDING", null, "/w", "Resources")],
            SlurmClient.ParseQueue("12", text));
        Assert.Equal([new SlurmJobState(null, "PENDING", null, "/w", "Dependency")], SlurmClient.ParseQueue("13", text));
    }

    [Fact]
    public void ParseSacct_Tasks_StateWithoutByAndExitCode()
    {
        string text = "12_0|COMPLETED|0:0|/w\n12_1|CANCELLED by 0|0:15|/w\n";

        Assert.Equal(
            [new SlurmJobState(0, "COMPLETED", "0:0", "/w", null), new SlurmJobState(1, "CANCELLED", "0:15", "/w", null)],
            SlurmClient.ParseSacct("12", text));
    }

    [Fact]
    public void OneLine_SbatchsTwoLines_KeptVerbatimOnOneLine()
    {
        Assert.Equal(
            "sbatch: error: Memory specification can not be satisfied / sbatch: error: Batch job submission failed: Requested node configuration is not available",
            SlurmClient.OneLine("sbatch: error: Memory specification can not be satisfied\nsbatch: error: Batch job submission failed: Requested node configuration is not available\n"));
    }
}
