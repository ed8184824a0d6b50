package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestGeneratedFilesInStep keeps functions/ and events/ what the route tables make them:
// every generated file as committed, and nothing else.
func TestGeneratedFilesInStep(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		got, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Errorf("%s is missing: run make generate", p)
			continue
		}
		if !bytes.Equal(got, files[p]) {
			t.Errorf("%s differs from what the route table generates: run make generate", p)
		}
	}
	stale, err := Stale(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		t.Errorf("%s belongs to no route, job or authorizer: run make generate", p)
	}
}

// TestPartsFollowNeeds pins what a few routes' mains name.
func TestPartsFollowNeeds(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"openapi":               `wiring.StartHTTP("openapi", wiring.Parts{})`,
		"healthz":               `wiring.StartHTTP("healthz", wiring.Parts{Table: ondynamodb.Stores})`,
		"org-onboard":           `wiring.StartHTTP("org-onboard", wiring.Parts{Table: ondynamodb.Stores, Identity: oncognito.Identity, Workflow: onstepfunctions.Engine, SandboxCACert: onsecretsmanager.SandboxCACert, SessionKey: onkms.SessionKey})`,
		"auth-forgot-password":  `wiring.StartHTTP("auth-forgot-password", wiring.Parts{Table: ondynamodb.Stores, Mail: onses.Mailer})`,
		"approval-reconciler":   `wiring.StartJob("approval-reconciler", wiring.Parts{Table: ondynamodb.Stores, Workflow: onstepfunctions.Engine})`,
		"tpp-authorizer":        `wiring.StartAuthorizer("tpp-authorizer", nil)`,
		"tpp-bearer-authorizer": `wiring.StartAuthorizer("tpp-bearer-authorizer", onoauth.Bearer)`,
		"oauth2-token":          `wiring.StartHTTP("oauth2-token", onoauth.ForRoute)`,
		"ais-accounts":          `wiring.StartHTTP("ais-accounts", onais.ForRoute)`,
	} {
		if main := files[filepath.Join("functions", name, "main.go")]; !bytes.Contains(main, []byte(want)) {
			t.Errorf("functions/%s/main.go does not call %s:\n%s", name, want, main)
		}
	}
}
