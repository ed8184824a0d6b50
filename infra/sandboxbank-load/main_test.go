package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestLoadCommand loads a table on moto as an operator would load a deployed one: once,
// then nothing to do, then another seed refused unless replaced; a missing table is named.
func TestLoadCommand(t *testing.T) {
	endpoint := testenv.MotoEndpoint(t)
	c := testenv.Config(t, endpoint)
	c.TPPTable = "tpp-" + testenv.Suffix()
	if err := motoserver.CreateTables(context.Background(), dynamodb.NewFromConfig(testenv.AWS(t, c)), c); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("SANDBOX_BANK_SEED", "")
	t.Setenv("SANDBOX_BANK_DATE", "")
	cases := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{args: []string{"-table", c.TPPTable}, want: "loaded the sandbox bank of seed 1 of 2026-11-30 into " + c.TPPTable + ": 13 customers, 34 accounts, 3509 transactions (3588 items)"},
		{args: []string{"-table", c.TPPTable}, want: "already holds the sandbox bank of seed 1 of 2026-11-30: nothing written"},
		{args: []string{"-table", c.TPPTable, "-seed", "2"}, wantErr: "OTHER_BANK_LOADED: The table holds a sandbox bank of another seed or date.: seed 1 of 2026-11-30; -replace loads this one over it"},
		{args: []string{"-table", c.TPPTable, "-seed", "2", "-replace"}, want: "loaded the sandbox bank of seed 2 of 2026-11-30"},
		{args: []string{"-table", c.TPPTable, "-date", "30.11.2026"}, wantErr: `SANDBOX_BANK_DATE="30.11.2026": must be a date`},
		{args: []string{"-table", "no-such-table"}, wantErr: "table no-such-table:"},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		err := run(context.Background(), append(tc.args, "-endpoint", endpoint), &out)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%v: error = %v, want %q", tc.args, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || !strings.Contains(out.String(), tc.want)):
			t.Errorf("%v: %q, %v; want %q", tc.args, out.String(), err, tc.want)
		}
	}
}
