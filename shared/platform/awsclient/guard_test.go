package awsclient_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
)

// TestGuardRefusesUndeclaredCalls: a call made for a route that did not declare its need
// is refused before anything is sent; a declared one, or one made for no route (a job's
// setup, the bootstrap), goes out.
func TestGuardRefusesUndeclaredCalls(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	cfg, err := awsclient.Load(context.Background(), config.Config{Region: "eu-west-1", AWSEndpoint: srv.URL, TPPTable: "tpp"})
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	states := sfn.NewFromConfig(cfg, func(o *sfn.Options) { o.RetryMaxAttempts = 1 })
	getItem := func(ctx context.Context) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "k"}}})
		return err
	}
	getTPPItem := func(ctx context.Context) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tpp"),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "k"}}})
		return err
	}
	decide := func(ctx context.Context) error {
		_, err := states.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("x"), Output: aws.String("{}")})
		return err
	}
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		call    func(context.Context) error
		refused string
	}{
		{"declared", route.WithNeeds(context.Background(), route.PortalTable|route.Mail), getItem, ""},
		{"no route", context.Background(), getItem, ""},
		{"undeclared table", route.WithNeeds(context.Background(), route.Mail), getItem,
			"awsclient: DynamoDB GetItem is called by a route whose needs are mail: declare the need in its route table line"},
		{"the TPP table", route.WithNeeds(context.Background(), route.TPPTable), getTPPItem, ""},
		{"the TPP table is not the portal's", route.WithNeeds(context.Background(), route.PortalTable), getTPPItem,
			"awsclient: DynamoDB GetItem is called by a route whose needs are portal-table: declare the need in its route table line"},
		{"the portal table is not the TPP's", route.WithNeeds(context.Background(), route.TPPTable), getItem,
			"awsclient: DynamoDB GetItem is called by a route whose needs are tpp-table: declare the need in its route table line"},
		{"starting is not deciding", route.WithNeeds(context.Background(), route.PortalTable|route.StartApproval), decide,
			"awsclient: SFN SendTaskSuccess is called by a route whose needs are portal-table+start-approval: declare the need in its route table line"},
		{"deciding", route.WithNeeds(context.Background(), route.DecideApproval), decide, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := sent.Load()
			err := tc.call(tc.ctx)
			var undeclared *awsclient.ErrUndeclared
			if tc.refused == "" {
				if errors.As(err, &undeclared) || sent.Load() != before+1 {
					t.Fatalf("err %v, %d requests sent; want the call sent", err, sent.Load()-before)
				}
				return
			}
			if !errors.As(err, &undeclared) || undeclared.Error() != tc.refused || sent.Load() != before {
				t.Fatalf("err %v, %d requests sent; want %q and nothing sent", err, sent.Load()-before, tc.refused)
			}
		})
	}
}
