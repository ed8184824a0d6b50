package stacks_test

import (
	"debug/elf"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bank/devportal/infra/stacks"
)

// TestGoBundlerCommand pins the build the deployed functions get: linux/arm64 for
// provided.al2023, without cgo, -tags lambda.norpc, -trimpath, stripped (-s -w), into
// <outputDir>/bootstrap from ./functions/<name>.
func TestGoBundlerCommand(t *testing.T) {
	b := stacks.GoBundler{Root: "/repo", Function: "auth-signup"}
	want := []string{"go", "build", "-tags", "lambda.norpc,validator_novalidatefn", "-trimpath", "-ldflags", "-s -w",
		"-o", filepath.Join("/out", "bootstrap"), "./functions/auth-signup"}
	if got := b.Command("/out"); !reflect.DeepEqual(got, want) {
		t.Errorf("command %q, want %q", got, want)
	}
	if got, want := b.Env(), []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("env %q, want %q", got, want)
	}
}

// TestGoBundlerBuild builds one real function as CDK would stage it: a stripped
// linux/arm64 ELF named bootstrap, with the truststore beside it.
func TestGoBundlerBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles a function")
	}
	truststore := filepath.Join(t.TempDir(), "cas.pem")
	if err := os.WriteFile(truststore, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	b := stacks.GoBundler{Root: filepath.Join("..", ".."), Function: "tpp-authorizer", Truststore: truststore}
	if ok := b.TryBundle(&out, nil); ok == nil || !*ok {
		t.Fatalf("TryBundle = %v", ok)
	}
	f, err := elf.Open(filepath.Join(out, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 || f.OSABI != elf.ELFOSABI_NONE || f.Type != elf.ET_EXEC {
		t.Errorf("bootstrap is %v %v %v, want a linux arm64 executable", f.Machine, f.OSABI, f.Type)
	}
	if f.Section(".symtab") != nil {
		t.Error("bootstrap has a symbol table: not stripped")
	}
	if b, err := os.ReadFile(filepath.Join(out, stacks.TruststoreName)); err != nil || string(b) != "-----BEGIN CERTIFICATE-----\n" {
		t.Errorf("packaged truststore: %q, %v", b, err)
	}
	// A build that fails fails the synthesis instead of falling back to Docker.
	bad := stacks.GoBundler{Root: filepath.Join("..", ".."), Function: "no-such-function"}
	if err := bad.Bundle(t.TempDir()); err == nil {
		t.Error("building a missing function: no error")
	}
}
