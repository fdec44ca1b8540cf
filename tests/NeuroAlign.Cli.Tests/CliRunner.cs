namespace NeuroAlign.Cli.Tests;

/// <summary>Runs the command in-process, capturing what it prints.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, IsTerminal: false, "neuro-align " + string.Join(' ', args), CancellationToken.None);
        int code = Program.Run(args, context);
        return (code, output.ToString(), error.ToString());
    }
}
