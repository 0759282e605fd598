#!/usr/bin/env bash
# End-to-end check of the two NuGet packages, as a user meets them (issue 12, "Installable"):
#   1. packs the library (Mucmm) and the tool (Mucmm.Tool) into a temporary folder;
#   2. installs the tool into a temporary --tool-path, checks that `mucmm --help` names the program
#      mucmm and runs `mucmm demo --quick` (TorchSharp's native library must load: the tool package
#      carries the fixed-up copy, see build/TorchSharpNativeFix.targets);
#   3. creates a new console project, adds the packed library with `dotnet add package`, makes README.md's
#      ```csharp block its Program.cs and runs it (the package's build targets fix up the native library
#      in the project's output where the system libstdc++ needs it).
# Slow (packing, restoring, a short deep fit): about 10 minutes on the shared 2-core machine, so `dotnet
# test` does not run it; tests/Mucmm.Tests/Packaging/ReadmeExampleTests.cs checks the README block fast.
# Packages get a unique version (0.1.0-check.TIMESTAMP): NuGet would otherwise take an older package of
# the same version from its cache. Temporary files and the check's cache entries are removed at exit.
# Usage: build/check-packages.sh            (exit 0 and "check-packages: OK" when everything works)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
version="0.1.0-check.$(date -u +%Y%m%d%H%M%S)"
work=$(mktemp -d "${TMPDIR:-/tmp}/mucmm-check-packages.XXXXXX")
cache=${NUGET_PACKAGES:-$HOME/.nuget/packages}
cleanup() { rm -rf "$work" "$cache/mucmm/$version" "$cache/mucmm.tool/$version"; }
trap cleanup EXIT
pkgs=$work/packages
start=$SECONDS
step() { printf '\n== %s (%d s)\n' "$1" $((SECONDS - start)); }
fail() { echo "check-packages: FAILED: $*" >&2; exit 1; }

step "pack Mucmm and Mucmm.Tool $version"
dotnet pack src/Mucmm -c Release -o "$pkgs" -p:Version="$version" -v:q -nologo
dotnet pack src/Mucmm.Cli -c Release -o "$pkgs" -p:Version="$version" -v:q -nologo
ls -l "$pkgs"
unzip -l "$pkgs/Mucmm.$version.nupkg" | grep -q "buildTransitive/Mucmm.targets" || fail "the library package has no buildTransitive/Mucmm.targets"

step "install the tool"
dotnet tool install --tool-path "$work/tool" --add-source "$pkgs" --version "$version" Mucmm.Tool
weak() { command -v readelf >/dev/null && readelf -V "$1" 2>/dev/null | grep "Name: GLIBCXX_3.4.32" | grep -o "Flags: [A-Za-z]*" || echo "readelf absent or not required"; }
echo "installed libLibTorchSharp.so, GLIBCXX_3.4.32 requirement: $(weak "$(find "$work/tool/.store" -name libLibTorchSharp.so | head -1)")"
"$work/tool/mucmm" --help | grep -q "^  mucmm \[command\] \[options\]" || fail "mucmm --help does not name the program mucmm"

step "mucmm demo --quick (installed tool)"
"$work/tool/mucmm" demo --quick --out "$work/demo" | tee "$work/demo.log"
[[ -f $work/demo/report.html ]] || fail "demo wrote no report.html"
grep -q "test canonical correlations:" "$work/demo.log" || fail "demo printed no test correlations"

step "new console project with the packed library, README.md's C# block as Program.cs"
mkdir "$work/app"
cd "$work/app"
dotnet new console --name ReadmeExample --output . >/dev/null
dotnet add package Mucmm --source "$pkgs" --version "$version"
awk '/^```csharp$/ { inside = 1; next } /^```$/ { if (inside) exit } inside' "$repo/README.md" > Program.cs
[[ -s Program.cs ]] || fail "README.md has no \`\`\`csharp block"
dotnet run -c Release | tee "$work/app.log"
grep -q "^test correlations: .*(sum [0-9.]*)$" "$work/app.log" || fail "the README example printed no correlations"
echo "console project's libLibTorchSharp.so, GLIBCXX_3.4.32 requirement: $(weak bin/Release/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so)"

printf '\ncheck-packages: OK in %d s\n' $((SECONDS - start))
