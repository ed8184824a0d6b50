package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// SandboxBank is moto with the tables of a fresh configuration and the sandbox bank of
// its seed loaded into the TPP table: what the TPP area's endpoints read.
func SandboxBank(tb testing.TB) (config.Config, *dynamodb.Client, sandboxbank.Bank) {
	tb.Helper()
	ctx := context.Background()
	c := Config(tb, MotoEndpoint(tb))
	awsCfg := AWS(tb, c)
	db := dynamodb.NewFromConfig(awsCfg)
	if err := motoserver.CreateTables(ctx, db, c); err != nil {
		tb.Fatal(err)
	}
	bank, _, err := motoserver.LoadSandboxBank(ctx, awsCfg, c)
	if err != nil {
		tb.Fatal(err)
	}
	return c, db, bank
}
