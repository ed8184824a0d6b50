package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// DefaultTags are the build tags of the deployed functions: lambda.norpc leaves out
// aws-lambda-go's RPC mode, which the OS-only runtime never uses, and
// validator_novalidatefn leaves out validator's call of methods by name, which keeps
// every exported method of the binary alive (see forbiddenSymbols).
const DefaultTags = "lambda.norpc,validator_novalidatefn"

// build is how the functions are compiled: `make build`'s flags with the tags of -tags.
type build struct {
	root string
	tags string
	// parallel is go build's -p: how many compiles and links run at once.
	parallel int
}

// args are go build's arguments for the packages, writing the executables into dir;
// extraLDFlags are added to `make build`'s "-s -w".
func (b build) args(dir string, extraLDFlags string, pkgs ...string) []string {
	ld := strings.TrimSpace("-s -w " + extraLDFlags)
	return append([]string{"build", "-p", strconv.Itoa(b.parallel), "-tags", b.tags, "-trimpath", "-ldflags", ld, "-o", dir + string(filepath.Separator)}, pkgs...)
}

// binaries builds the named functions for linux/goarch in one go build, which shares the
// work on the packages they have in common, and returns each one's executable,
// dir/<name>/bootstrap as `make build` lays them out.
func (b build) binaries(ctx context.Context, goarch, dir string, names []string) (map[string]string, error) {
	staging := filepath.Join(dir, ".staging")
	if err := os.RemoveAll(staging); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return nil, err
	}
	pkgs := make([]string, len(names))
	for i, n := range names {
		pkgs[i] = "./functions/" + n
	}
	if err := b.run(ctx, goarch, b.args(staging, "", pkgs...)); err != nil {
		return nil, err
	}
	paths := map[string]string{}
	for _, n := range names {
		dst := filepath.Join(dir, n, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(staging, n), dst); err != nil {
			return nil, err
		}
		paths[n] = dst
	}
	return paths, os.Remove(staging)
}

// run runs go with args for linux/goarch without cgo, as `make build` does.
func (b build) run(ctx context.Context, goarch string, args []string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return nil
}

// functionNames are the functions under functions/ (each a directory with a main.go),
// or those of them named in only, each once; a name in only that is no function is an
// error.
func functionNames(root string, only []string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, err
	}
	var all []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); e.IsDir() && err == nil {
			all = append(all, e.Name())
		}
	}
	if len(only) == 0 {
		return all, nil
	}
	var names, unknown []string
	for _, n := range only {
		switch {
		case !slices.Contains(all, n):
			unknown = append(unknown, n)
		case !slices.Contains(names, n):
			names = append(names, n)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("no function %s under functions/", strings.Join(unknown, ", "))
	}
	return names, nil
}

// moduleRoot is the directory of the go.mod above the working directory, so that the
// command runs from anywhere in the repository.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it")
		}
		dir = parent
	}
}
