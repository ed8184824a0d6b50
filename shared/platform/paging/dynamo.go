package paging

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/bank/devportal/shared/platform/apperr"
)

// Querier runs DynamoDB queries.
type Querier interface {
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Keys names the attributes that locate an item in a query, what DynamoDB takes as the
// start key of the next page: the partition key of the queried table or index first, then
// its sort key and the table's own key attributes.
type Keys []string

// Query reads one page of the query in: at most page.Limit items after page.Cursor, each
// unmarshalled as I, and the cursor of the next page ("" when nothing is left). The key
// condition must name the partition value ":pk", and the part of the partition it reads:
// a sort-key prefix (begins_with ":p") or range (BETWEEN ":from" AND ":to"), which a
// cursor's sort key must fall in. It reads one item more than asked, so that the last
// page says so instead of leading to an empty one. With a FilterExpression it reads on
// until the page holds Limit matching items or the query ends.
func Query[I any](ctx context.Context, db Querier, in dynamodb.QueryInput, keys Keys, page Page) ([]I, string, error) {
	if page.Limit < 1 || page.Limit > MaxLimit {
		page.Limit = DefaultLimit
	}
	if page.Cursor != "" {
		start, err := decodeCursor(page.Cursor)
		// A cursor must come from this list: a start key in another partition would be
		// refused by DynamoDB, or worse, not by an emulator.
		if err != nil || !hasKeys(start, keys) || !sameString(start[keys[0]], in.ExpressionAttributeValues[":pk"]) ||
			!inPrefix(start, keys, in.ExpressionAttributeValues[":p"]) ||
			!inRange(start, keys, in.ExpressionAttributeValues[":from"], in.ExpressionAttributeValues[":to"]) {
			return nil, "", ErrCursor
		}
		in.ExclusiveStartKey = start
	}
	var raw []map[string]types.AttributeValue
	for {
		// DynamoDB applies Limit before a FilterExpression: a filtered query reads a full
		// page's worth each time rather than one item at a time as the page fills. The
		// next cursor is the last item kept, so what is read past it is read again then.
		need := page.Limit + 1 - len(raw)
		if in.FilterExpression != nil {
			need = max(need, MaxLimit+1)
		}
		in.Limit = aws.Int32(int32(need))
		out, err := db.Query(ctx, &in)
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "ValidationException" && page.Cursor != "" {
			return nil, "", ErrCursor // a start key the query cannot start from
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
		for _, k := range keys {
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

// encodeCursor writes a start key as an opaque cursor.
func encodeCursor(k map[string]types.AttributeValue) (string, error) {
	var plain map[string]string
	if err := attributevalue.UnmarshalMap(k, &plain); err != nil {
		return "", err
	}
	b, err := json.Marshal(plain)
	return base64.RawURLEncoding.EncodeToString(b), err
}

func decodeCursor(c string) (map[string]types.AttributeValue, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, err
	}
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil {
		return nil, err
	}
	return attributevalue.MarshalMap(plain)
}

// hasKeys says whether key has exactly the attributes names, each a string.
func hasKeys(key map[string]types.AttributeValue, names Keys) bool {
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

// inPrefix says whether key's sort key starts with prefix, the sort-key prefix of a list
// that shares its partition with others (an organization's members, apps, invitations): a
// cursor of one of them must not start another. Without a prefix any sort key is in.
func inPrefix(key map[string]types.AttributeValue, names Keys, prefix types.AttributeValue) bool {
	if prefix == nil {
		return true
	}
	p, ok := prefix.(*types.AttributeValueMemberS)
	if !ok || len(names) < 2 {
		return false
	}
	sk, ok := key[names[1]].(*types.AttributeValueMemberS)
	return ok && strings.HasPrefix(sk.Value, p.Value)
}

// inRange says whether key's sort key lies between from and to, both included, when the
// query reads a range of its partition (both nil: any).
func inRange(key map[string]types.AttributeValue, names Keys, from, to types.AttributeValue) bool {
	if from == nil && to == nil {
		return true
	}
	lo, ok1 := from.(*types.AttributeValueMemberS)
	hi, ok2 := to.(*types.AttributeValueMemberS)
	if !ok1 || !ok2 || len(names) < 2 {
		return false
	}
	sk, ok := key[names[1]].(*types.AttributeValueMemberS)
	return ok && sk.Value >= lo.Value && sk.Value <= hi.Value
}

// sameString says whether a and b are the same string attribute value.
func sameString(a, b types.AttributeValue) bool {
	x, ok1 := a.(*types.AttributeValueMemberS)
	y, ok2 := b.(*types.AttributeValueMemberS)
	return ok1 && ok2 && x.Value == y.Value
}
