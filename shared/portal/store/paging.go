package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/paging"
)

// keysOf are the attributes that locate an item in a query of the table or an index,
// its partition key first.
func keysOf(index *string) paging.Keys {
	switch aws.ToString(index) {
	case IndexGSI1:
		return paging.Keys{AttrGSI1PK, AttrGSI1SK, "PK", "SK"}
	case IndexGSI2:
		return paging.Keys{AttrGSI2PK, AttrGSI2SK, "PK", "SK"}
	default:
		return paging.Keys{"PK", "SK"}
	}
}

// queryPage reads one page of a query of the portal table (paging.Query).
func queryPage[I any](ctx context.Context, db DynamoDB, in dynamodb.QueryInput, page paging.Page) ([]I, string, error) {
	return paging.Query[I](ctx, db, in, keysOf(in.IndexName), page)
}
