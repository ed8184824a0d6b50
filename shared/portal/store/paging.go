package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
)

// partitionAttr is the partition key attribute of a query of the table or an index.
func partitionAttr(index *string) string {
	attrs := keyAttrs(index)
	return attrs[len(attrs)-2]
}

// keyAttrs are the attributes that locate an item in a query of the table or an index:
// what DynamoDB takes as the start key of the next page.
func keyAttrs(index *string) []string {
	switch aws.ToString(index) {
	case IndexGSI1:
		return []string{"PK", "SK", AttrGSI1PK, AttrGSI1SK}
	case IndexGSI2:
		return []string{"PK", "SK", AttrGSI2PK, AttrGSI2SK}
	default:
		return []string{"PK", "SK"}
	}
}

// queryPage reads one page of the query in: at most page.Limit items after page.Cursor,
// each unmarshalled as I, and the cursor of the next page ("" when nothing is left). It
// reads one item more than asked, so that the last page says so instead of leading to an
// empty one.
func queryPage[I any](ctx context.Context, db DynamoDB, in dynamodb.QueryInput, page paging.Page) ([]I, string, error) {
	if page.Limit < 1 || page.Limit > paging.MaxLimit {
		page.Limit = paging.DefaultLimit
	}
	if page.Cursor != "" {
		start, err := decodeCursor(page.Cursor)
		// A cursor must come from this list: a start key in another partition would be
		// refused by DynamoDB, or worse, not by an emulator.
		if err != nil || !hasKeys(start, keyAttrs(in.IndexName)) || !sameString(start[partitionAttr(in.IndexName)], in.ExpressionAttributeValues[":pk"]) {
			return nil, "", paging.ErrCursor
		}
		in.ExclusiveStartKey = start
	}
	var raw []map[string]types.AttributeValue
	for {
		in.Limit = aws.Int32(int32(page.Limit + 1 - len(raw)))
		out, err := db.Query(ctx, &in)
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "ValidationException" && page.Cursor != "" {
			return nil, "", paging.ErrCursor // a start key the query cannot start from
		}
		if err != nil {
			return nil, "", apperr.Wrap(err, "query page")
		}
		raw = append(raw, out.Items...)
		if len(raw) > page.Limit || len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	next := ""
	if len(raw) > page.Limit {
		raw = raw[:page.Limit]
		last := map[string]types.AttributeValue{}
		for _, k := range keyAttrs(in.IndexName) {
			last[k] = raw[page.Limit-1][k]
		}
		var err error
		if next, err = encodeCursor(last); err != nil {
			return nil, "", apperr.Wrap(err, "encode cursor")
		}
	}
	items := make([]I, 0, len(raw))
	if err := attributevalue.UnmarshalListOfMaps(raw, &items); err != nil {
		return nil, "", apperr.Wrap(err, "unmarshal page")
	}
	return items, next, nil
}

// hasKeys says whether key has exactly the attributes names, each a string.
func hasKeys(key map[string]types.AttributeValue, names []string) bool {
	if len(key) != len(names) {
		return false
	}
	for _, n := range names {
		if _, ok := key[n].(*types.AttributeValueMemberS); !ok {
			return false
		}
	}
	return true
}

// sameString says whether a and b are the same string attribute value.
func sameString(a, b types.AttributeValue) bool {
	x, ok1 := a.(*types.AttributeValueMemberS)
	y, ok2 := b.(*types.AttributeValueMemberS)
	return ok1 && ok2 && x.Value == y.Value
}
