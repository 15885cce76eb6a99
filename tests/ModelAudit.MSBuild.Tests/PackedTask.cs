using System.Diagnostics;
using System.Globalization;

namespace ModelAudit.MSBuild.Tests;

/// <summary>Packs ModelAudit.MSBuild once (with the CLI inside) into a local source that temporary projects restore from.</summary>
public sealed class PackedTask : IDisposable
{
    public PackedTask()
    {
        Root = Directory.CreateTempSubdirectory("msbuild-e2e").FullName;
        Source = Path.Combine(Root, "source");
        // A fresh version per run: NuGet caches packages by id and version.
        Version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        Run(RepoRoot, "pack", Path.Combine(RepoRoot, "src", "ModelAudit.MSBuild", "ModelAudit.MSBuild.csproj"), "-c", configuration, "--no-build",
            "-o", Source, $"-p:PackageVersion={Version}", "-p:ModelAuditCliNoBuild=true").AssertExit(0);
    }

    public string Root { get; }

    public string Source { get; }

    public string Version { get; }

    public static string RepoRoot { get; } = FindRoot();

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>A new project folder referencing the package, with the given extra properties.</summary>
    public string CreateProject(string name, string properties)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"),
            $"<configuration><packageSources><clear /><add key=\"local\" value=\"{Source}\" /></packageSources></configuration>");
        File.WriteAllText(Path.Combine(dir, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelAudit.MSBuild" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Empty.cs"), "namespace App; internal static class Empty { }");
        return dir;
    }

    /// <summary>Runs dotnet with an isolated package cache, no node reuse, no MSBuild server.</summary>
    public DotnetResult Dotnet(string cwd, params string[] args) => Run(cwd, args);

    private DotnetResult Run(string cwd, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NUGET_PACKAGES"] = Path.Combine(Root, "nuget");
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment.Remove("GITHUB_ACTIONS");
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(" ", args)} ran over 300 s");
        }
        return new DotnetResult(p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Audit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Audit.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Exit code and combined output of a dotnet command.</summary>
public sealed record DotnetResult(int Exit, string Output)
{
    public void AssertExit(int expected) => Assert.True(Exit == expected, $"exit {Exit}, expected {expected}:\n{Output}");
}

/// <summary>
/// One packed package for every test class that builds against it: the classes share it and run one after another
/// (two packs at once would race on the CLI publish folder under obj/).
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackedTaskCollection : ICollectionFixture<PackedTask>
{
    public const string Name = "packed ModelAudit.MSBuild";
}
