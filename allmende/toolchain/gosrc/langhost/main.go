// Command pulumi-language-python is allmende's Python language host for the Pulumi engine.
//
// The upstream host (module github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3)
// is not served by the module proxy this project can reach, so allmende builds this small host
// instead. It speaks the engine's LanguageRuntime gRPC protocol from the pinned sdk/v3 module,
// resolves the Python interpreter with that module's python/toolchain package (virtualenv from
// Pulumi.yaml `runtime.options.virtualenv`, else PULUMI_PYTHON_CMD, else python3), and runs the
// program through the upstream `pulumi-language-python-exec` script that ships in sdk/v3.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set with -ldflags at build time to the Pulumi release this host belongs to.
var version = "dev"

// userActionableExit is the exit code with which the exec script says it already told the user.
const userActionableExit = 32

// pluginQuery prints the Pulumi resource plugins that installed Python packages declare.
const pluginQuery = `
import importlib.metadata as md, json
found = {}
for dist in md.distributions():
    for f in dist.files or []:
        if f.name not in ("pulumi-plugin.json", "pulumiplugin.json") or len(f.parts) != 2:
            continue
        try:
            data = json.loads(f.read_text() or "{}")
        except (OSError, ValueError):
            continue
        if not data.get("resource", True):
            break
        name = data.get("name") or dist.metadata["Name"].lower().replace("_", "-").removeprefix("pulumi-")
        found[name] = {"name": name, "version": data.get("version") or dist.version, "server": data.get("server", "")}
        break
print(json.dumps(sorted(found.values(), key=lambda p: p["name"])))
`

type pluginDecl struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Server  string `json:"server"`
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	execScript    string
}

func optionString(info *pulumirpc.ProgramInfo, key string) string {
	if info == nil || info.Options == nil {
		return ""
	}
	if v, ok := info.Options.AsMap()[key].(string); ok {
		return v
	}
	return ""
}

func resolve(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Pip}
	if info != nil {
		opts.Root = info.RootDirectory
		opts.ProgramDir = info.ProgramDirectory
	}
	opts.Virtualenv = optionString(info, "virtualenv")
	if opts.Virtualenv != "" && !filepath.IsAbs(opts.Virtualenv) {
		opts.Virtualenv = filepath.Join(opts.Root, opts.Virtualenv)
	}
	switch tc := optionString(info, "toolchain"); tc {
	case "", "pip":
	case "uv":
		opts.Toolchain = toolchain.Uv
	case "poetry":
		opts.Toolchain = toolchain.Poetry
	default:
		return nil, fmt.Errorf("unknown Python toolchain %q in Pulumi.yaml runtime.options", tc)
	}
	return toolchain.ResolveToolchain(opts)
}

func (h *host) declaredPlugins(ctx context.Context, info *pulumirpc.ProgramInfo) ([]pluginDecl, error) {
	tc, err := resolve(info)
	if err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", pluginQuery)
	if err != nil {
		return nil, err
	}
	if info != nil && info.ProgramDirectory != "" {
		cmd.Dir = info.ProgramDirectory
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the Pulumi packages of the Python environment: %w", err)
	}
	var decls []pluginDecl
	if err := json.Unmarshal(out, &decls); err != nil {
		return nil, fmt.Errorf("reading the Pulumi packages of the Python environment: %w", err)
	}
	for i := range decls {
		if !strings.HasPrefix(decls[i].Version, "v") {
			decls[i].Version = "v" + decls[i].Version
		}
	}
	return decls, nil
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.EngineAddress != "" {
		h.engineAddress = req.EngineAddress
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	decls, err := h.declaredPlugins(ctx, req.Info)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, d := range decls {
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Name: d.Name, Version: d.Version, Server: d.Server, Kind: "resource",
		})
	}
	return resp, nil
}

func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	decls, err := h.declaredPlugins(ctx, req.Info)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, d := range decls {
		resp.Packages = append(resp.Packages, &pulumirpc.PackageDependency{
			Name: d.Name, Version: d.Version, Server: d.Server, Kind: "resource",
		})
	}
	return resp, nil
}

func runArgs(req *pulumirpc.RunRequest, engine string) []string {
	program := req.Program
	if req.Info != nil && req.Info.ProgramDirectory != "" {
		program = req.Info.ProgramDirectory
		if ep := req.Info.EntryPoint; ep != "" && ep != "." {
			program = filepath.Join(program, ep)
		}
	}
	if program == "" {
		program = "."
	}
	args := []string{}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.MonitorAddress)
	add("engine", engine)
	add("project", req.Project)
	add("stack", req.Stack)
	add("pwd", req.Pwd)
	add("dry_run", fmt.Sprintf("%t", req.DryRun))
	add("parallel", fmt.Sprint(req.Parallel))
	add("organization", req.Organization)
	if req.Info != nil {
		add("root_directory", req.Info.RootDirectory)
	}
	args = append(args, program)
	return append(args, req.Args...)
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := resolve(req.Info)
	if err != nil {
		return nil, err
	}
	configMap, secretKeyList := req.Config, req.ConfigSecretKeys
	if configMap == nil {
		configMap = map[string]string{}
	}
	if secretKeyList == nil {
		secretKeyList = []string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(secretKeyList)
	if err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, append([]string{"-u", h.execScript}, runArgs(req, h.engineAddress)...)...)
	if err != nil {
		return nil, err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	if req.Pwd != "" {
		cmd.Dir = req.Pwd
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == userActionableExit {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the Python program: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// InstallDependencies checks the environment; allmende installs Python packages itself (pip + pyproject).
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	tc, err := resolve(req.Info)
	if err != nil {
		return err
	}
	if err := tc.ValidateVenv(server.Context()); err != nil {
		return err
	}
	return nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := resolve(req.Info)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: info.PythonExecutable, Version: info.PythonVersion.String()}, nil
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := resolve(req.Info)
	if err != nil {
		return nil, err
	}
	deps, err := tc.ListPackages(ctx, req.TransitiveDependencies)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, d := range deps {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return resp, nil
}

// RunPlugin runs a plugin written in Python (a policy pack or a provider): `python -u <dir> args...`.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	tc, err := resolve(req.Info)
	if err != nil {
		return err
	}
	dir := req.Program
	if req.Info != nil && req.Info.ProgramDirectory != "" {
		dir = req.Info.ProgramDirectory
	}
	cmd, err := tc.Command(server.Context(), append([]string{"-u", dir}, req.Args...)...)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, req.Env...)
	cmd.Dir = req.Pwd
	cmd.Stdout, cmd.Stderr = stdout, stderr
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = int32(exitErr.ExitCode())
	}
	if err := closer.Close(); err != nil {
		return err
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

func main() {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-python: cannot find itself:", err)
		os.Exit(1)
	}
	h := &host{execScript: filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")}
	if _, err := os.Stat(h.execScript); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-python: missing executor:", h.execScript)
		os.Exit(1)
	}
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			h.engineAddress = arg
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-python: could not serve:", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-python: stopped serving:", err)
		os.Exit(1)
	}
}
