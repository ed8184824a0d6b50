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

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
)

// TestGuardHoldsCallsToKeyFamilies: every DynamoDB call made for a route reaches only
// partitions of the portal table (and of its indexes) in the route's key families; one
// that reaches another is refused before anything is sent and named in the error. Calls
// to another table, and calls made for no route, are not the guard's.
func TestGuardHoldsCallsToKeyFamilies(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	const portal = "portal-table"
	cfg, err := awsclient.Load(context.Background(), config.Config{Region: "eu-west-1", AWSEndpoint: srv.URL, PortalTable: portal})
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	key := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": s(pk), "SK": s("X")}
	}
	table := aws.String(portal)
	scope := route.Scope{Route: "org-get", Keys: route.Keys{"ORG#", "SESSION#", "ORGS"}}
	ctx := route.WithScope(route.WithNeeds(context.Background(), route.PortalTable), scope)
	outside := func(op, index, pk string) string {
		where := "the portal table"
		if index != "" {
			where += "'s index " + index
		}
		return "awsclient: " + op + " of route org-get reaches partition \"" + pk + "\" of " + where + ", outside its key families [ORG# SESSION# ORGS]: declare the family in its route table line (Keys)"
	}
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		call    func(context.Context) error
		refused string
	}{
		{"get in a family", ctx, func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("ORG#o-1")})
			return err
		}, ""},
		{"get outside", ctx, func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("USER#u-1")})
			return err
		}, outside("GetItem", "", "USER#u-1")},
		{"a single partition is not a prefix", ctx, func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("ORGSX")})
			return err
		}, outside("GetItem", "", "ORGSX")},
		{"another table", ctx, func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tpp-table"), Key: key("USER#u-1")})
			return err
		}, ""},
		{"no route", context.Background(), func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("USER#u-1")})
			return err
		}, ""},
		{"put outside", ctx, func(ctx context.Context) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: key("EMAIL#a@b.example")})
			return err
		}, outside("PutItem", "", "EMAIL#a@b.example")},
		{"update and delete in families", ctx, func(ctx context.Context) error {
			if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key("SESSION#h"), UpdateExpression: aws.String("SET a = :a"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("1")}}); err != nil {
				return err
			}
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key("ORG#o-1")})
			return err
		}, ""},
		{"delete outside", ctx, func(ctx context.Context) error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key("LINK#x")})
			return err
		}, outside("DeleteItem", "", "LINK#x")},
		{"query of the table with a name placeholder", ctx, func(ctx context.Context) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("#pk = :pk AND begins_with(SK, :p)"),
				ExpressionAttributeNames:  map[string]string{"#pk": "PK"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("ORG#o-1"), ":p": s("APP#")}})
			return err
		}, ""},
		{"query of an index by its partition", ctx, func(ctx context.Context) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("ORGS")}})
			return err
		}, ""},
		{"query of an index outside", ctx, func(ctx context.Context) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :pk AND GSI1SK = :sk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("PROFILES"), ":sk": s("ORG#o-1")}})
			return err
		}, outside("Query", "GSI1", "PROFILES")},
		{"scan", ctx, func(ctx context.Context) error {
			_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: table})
			return err
		}, outside("Scan", "", "")},
		{"batch get, one key outside", ctx, func(ctx context.Context) error {
			_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				portal: {Keys: []map[string]types.AttributeValue{key("ORG#o-1"), key("FPR#f")}}}})
			return err
		}, outside("BatchGetItem", "", "FPR#f")},
		{"batch write, one delete outside", ctx, func(ctx context.Context) error {
			_, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				portal: {{PutRequest: &types.PutRequest{Item: key("ORG#o-1")}}, {DeleteRequest: &types.DeleteRequest{Key: key("CLIENT#c")}}}}})
			return err
		}, outside("BatchWriteItem", "", "CLIENT#c")},
		{"transaction, every kind of item in families", ctx, func(ctx context.Context) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: table, Item: key("ORG#o-1")}},
				{Update: &types.Update{TableName: table, Key: key("SESSION#h"), UpdateExpression: aws.String("SET a = :a"), ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("1")}}},
				{Delete: &types.Delete{TableName: table, Key: key("ORG#o-2")}},
				{ConditionCheck: &types.ConditionCheck{TableName: table, Key: key("ORGS"), ConditionExpression: aws.String("attribute_exists(PK)")}},
				{Put: &types.Put{TableName: aws.String("tpp-table"), Item: key("TOKEN#t")}},
			}})
			return err
		}, ""},
		{"transaction, a condition check outside", ctx, func(ctx context.Context) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: table, Item: key("ORG#o-1")}},
				{ConditionCheck: &types.ConditionCheck{TableName: table, Key: key("ORGCODE#c"), ConditionExpression: aws.String("attribute_exists(PK)")}},
			}})
			return err
		}, outside("TransactWriteItems", "", "ORGCODE#c")},
		{"transactional get outside", ctx, func(ctx context.Context) error {
			_, err := db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: table, Key: key("ORG#o-1")}}, {Get: &types.Get{TableName: table, Key: key("ISSUED#f")}},
			}})
			return err
		}, outside("TransactGetItems", "", "ISSUED#f")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := sent.Load()
			err := tc.call(tc.ctx)
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if sent.Load() == before {
					t.Fatal("nothing was sent")
				}
				return
			}
			var outside *awsclient.ErrOutsideKeys
			if !errors.As(err, &outside) || outside.Error() != tc.refused {
				t.Fatalf("err = %v, want %s", err, tc.refused)
			}
			if sent.Load() != before {
				t.Fatal("the refused call was sent")
			}
		})
	}
}

// TestGuardHoldsTPPTableCalls: calls to the TPP table (and its index) are held to the
// route's TPP key families as those to the portal table are to its key families, each
// refusal naming the table and the route table field to declare the family in.
func TestGuardHoldsTPPTableCalls(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	const portal, tpp = "portal-table", "tpp-table"
	cfg, err := awsclient.Load(context.Background(), config.Config{Region: "eu-west-1", AWSEndpoint: srv.URL, PortalTable: portal, TPPTable: tpp})
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	key := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": s(pk), "SK": s("X")}
	}
	scope := route.Scope{Route: "ais-accounts", Keys: route.Keys{"ORG#"}, TPPKeys: route.Keys{"BANKACCOUNT#", "CONSENT#", "STANDING"}}
	ctx := route.WithScope(route.WithNeeds(context.Background(), route.PortalTable|route.TPPTable), scope)
	for _, tc := range []struct {
		name    string
		call    func(context.Context) error
		refused string
	}{
		{"get in a family", func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tpp), Key: key("CONSENT#c-1")})
			return err
		}, ""},
		{"get outside", func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tpp), Key: key("BANKLOGIN#anna")})
			return err
		}, `awsclient: GetItem of route ais-accounts reaches partition "BANKLOGIN#anna" of the TPP table, outside its key families [BANKACCOUNT# CONSENT# STANDING]: declare the family in its route table line (TPPKeys)`},
		{"a TPP family is not a portal one", func(ctx context.Context) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(portal), Key: key("CONSENT#c-1")})
			return err
		}, `awsclient: GetItem of route ais-accounts reaches partition "CONSENT#c-1" of the portal table, outside its key families [ORG#]: declare the family in its route table line (Keys)`},
		{"query of the index outside", func(ctx context.Context) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(tpp), IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("#pk = :pk"),
				ExpressionAttributeNames:  map[string]string{"#pk": "GSI1PK"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("NOTIFYDUE")}})
			return err
		}, `awsclient: Query of route ais-accounts reaches partition "NOTIFYDUE" of the TPP table's index GSI1, outside its key families [BANKACCOUNT# CONSENT# STANDING]: declare the family in its route table line (TPPKeys)`},
		{"query of the index in a family", func(ctx context.Context) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(tpp), IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("STANDING")}})
			return err
		}, ""},
		{"scan", func(ctx context.Context) error {
			_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tpp)})
			return err
		}, `awsclient: Scan of route ais-accounts reaches partition "" of the TPP table, outside its key families [BANKACCOUNT# CONSENT# STANDING]: declare the family in its route table line (TPPKeys)`},
		{"batch get across both tables, one key outside", func(ctx context.Context) error {
			_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				portal: {Keys: []map[string]types.AttributeValue{key("ORG#o-1")}},
				tpp:    {Keys: []map[string]types.AttributeValue{key("CONSENT#c-1"), key("OAUTH#GRANT#g")}}}})
			return err
		}, `awsclient: BatchGetItem of route ais-accounts reaches partition "OAUTH#GRANT#g" of the TPP table, outside its key families [BANKACCOUNT# CONSENT# STANDING]: declare the family in its route table line (TPPKeys)`},
		{"transaction in families", func(ctx context.Context) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String(tpp), Item: key("CONSENT#c-1")}},
				{Update: &types.Update{TableName: aws.String(tpp), Key: key("BANKACCOUNT#a"), UpdateExpression: aws.String("SET a = :a"), ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("1")}}},
			}})
			return err
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := sent.Load()
			err := tc.call(ctx)
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if sent.Load() == before {
					t.Fatal("nothing was sent")
				}
				return
			}
			var outside *awsclient.ErrOutsideKeys
			if !errors.As(err, &outside) || outside.Error() != tc.refused {
				t.Fatalf("err = %v, want %s", err, tc.refused)
			}
			if sent.Load() != before {
				t.Fatal("the refused call was sent")
			}
		})
	}
}
