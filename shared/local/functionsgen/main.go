// Command functionsgen writes what the route tables determine: one functions/<name>/main.go
// per deployed route, job and authorizer, naming only the parts its route needs, and one
// events/<name>.json sample event each. It removes the directories and events of functions
// that no longer exist. Run it through make generate (go generate) after changing a route table.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	if err := write(*root); err != nil {
		fmt.Fprintln(os.Stderr, "functionsgen:", err)
		os.Exit(1)
	}
}

func write(root string) error {
	files, err := Files()
	if err != nil {
		return err
	}
	for path, content := range files {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, content, 0o644); err != nil {
			return err
		}
	}
	stale, err := Stale(root, files)
	if err != nil {
		return err
	}
	for _, path := range stale {
		if err := os.RemoveAll(filepath.Join(root, path)); err != nil {
			return err
		}
	}
	return nil
}

// Stale lists what functions/ and events/ hold that files does not: functions and events
// of routes that no longer exist.
func Stale(root string, files map[string][]byte) ([]string, error) {
	var stale []string
	dirs, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if _, ok := files[filepath.Join("functions", d.Name(), "main.go")]; !ok {
			stale = append(stale, filepath.Join("functions", d.Name()))
		}
	}
	events, err := os.ReadDir(filepath.Join(root, "events"))
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if _, ok := files[filepath.Join("events", e.Name())]; !ok && strings.HasSuffix(e.Name(), ".json") {
			stale = append(stale, filepath.Join("events", e.Name()))
		}
	}
	return stale, nil
}
