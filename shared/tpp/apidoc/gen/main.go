// Command gen writes tpp-api.json.gz from tpp-api.yaml: the document is written in YAML
// and served as JSON, and converting (and compressing) it here keeps a YAML parser and
// 60 KB out of every function that serves it (the portal's, which share one package,
// above all).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

func main() {
	src, err := os.ReadFile("tpp-api.yaml")
	if err != nil {
		fail(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		fail(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		fail(err)
	}
	// No name and no time in the gzip header: the same document gives the same bytes.
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		fail(err)
	}
	if _, err := zw.Write(out); err != nil {
		fail(err)
	}
	if err := zw.Close(); err != nil {
		fail(err)
	}
	if err := os.WriteFile("tpp-api.json.gz", b.Bytes(), 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "apidoc/gen:", err)
	os.Exit(1)
}
