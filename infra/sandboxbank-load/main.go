// Command sandboxbank-load loads the sandbox bank into a deployed TPP table (the local
// stack loads its own at start):
//
//	go run ./infra/sandboxbank-load -table devportal-tpp
//
// It generates the bank of the seed and date (SANDBOX_BANK_SEED and SANDBOX_BANK_DATE
// unless -seed and -date say otherwise) and writes it with BatchWriteItem. A table that
// holds this bank already is left as it is; one that holds another bank is refused unless
// -replace is given. It uses the AWS credentials and region of the shell (profile, SSO,
// environment); -endpoint points it at an emulator instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sandboxbank-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	c, err := config.FromEnv()
	if err != nil {
		return err
	}
	flags := flag.NewFlagSet("sandboxbank-load", flag.ContinueOnError)
	flags.SetOutput(out)
	table := flags.String("table", c.TPPTable, "the TPP table (TPP_TABLE)")
	seed := flags.Int("seed", c.SandboxBankSeed, "the bank's seed (SANDBOX_BANK_SEED)")
	date := flags.String("date", c.SandboxBankDate, "the bank's date, YYYY-MM-DD (SANDBOX_BANK_DATE)")
	replace := flags.Bool("replace", false, "load even if the table holds a bank of another seed or date")
	endpoint := flags.String("endpoint", "", "a DynamoDB endpoint other than AWS's, e.g. http://127.0.0.1:5000 for moto")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", flags.Args())
	}
	c.SandboxBankSeed, c.SandboxBankDate = *seed, *date
	bank, err := sandboxbank.FromConfig(c)
	if err != nil {
		return err
	}
	opts := []func(*awsconfig.LoadOptions) error{}
	if *endpoint != "" {
		opts = append(opts, awsconfig.WithBaseEndpoint(*endpoint))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return err
	}
	if awsCfg.Region == "" {
		awsCfg.Region = c.Region
	}
	db := dynamodb.NewFromConfig(awsCfg)
	if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table}); err != nil {
		return fmt.Errorf("table %s: %w", *table, err)
	}
	res, err := bankstore.New(db, *table).Load(ctx, bank, *replace)
	if errors.Is(err, sandboxbank.ErrOtherBankLoaded) {
		return fmt.Errorf("table %s: %w; -replace loads this one over it", *table, err)
	}
	if err != nil {
		return err
	}
	if res.Skipped {
		fmt.Fprintf(out, "table %s already holds the sandbox bank of seed %d of %s: nothing written\n", *table, bank.Seed, bank.Date)
		return nil
	}
	fmt.Fprintf(out, "loaded the sandbox bank of seed %d of %s into %s: %d customers, %d accounts, %d transactions (%d items) in %d requests in %s\n",
		bank.Seed, bank.Date, aws.ToString(table), len(bank.Customers), len(bank.Accounts), len(bank.Transactions), res.Items, res.Requests, res.Duration.Round(time.Millisecond))
	return nil
}
