package awsclient

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/bank/devportal/shared/platform/route"
)

// partitionAttr is the partition key attribute of the table (index "") or of one of its
// indexes: the portal table names them PK, GSI1PK and GSI2PK, the TPP table PK and GSI1PK.
func partitionAttr(index string) string { return index + "PK" }

// ErrOutsideKeys is a call to the portal table or the TPP table that reaches a partition
// its route did not declare.
type ErrOutsideKeys struct {
	Route, Operation, Index, Partition string
	Keys                               route.Keys
	// TPP says the partition is the TPP table's, which the route declares in TPPKeys.
	TPP bool
}

func (e *ErrOutsideKeys) Error() string {
	where, field := "the portal table", "Keys"
	if e.TPP {
		where, field = "the TPP table", "TPPKeys"
	}
	if e.Index != "" {
		where += "'s index " + e.Index
	}
	return fmt.Sprintf("awsclient: %s of route %s reaches partition %q of %s, outside its key families %v: declare the family in its route table line (%s)",
		e.Operation, e.Route, e.Partition, where, e.Keys, field)
}

// reach is one partition a DynamoDB call reaches: of the table or of one of its indexes.
type reach struct{ table, index, partition string }

// guardKeys refuses, before it is sent, a DynamoDB call made for a route (route.WithScope)
// that reaches a partition of the portal table outside the route's key families, or of
// the TPP table outside its TPP key families, as the deployed function's role
// (dynamodb:LeadingKeys) would. A call whose partition cannot be read (a Scan, a query
// without an equality on the partition key) is refused too: the role allows neither.
func guardKeys(portalTable, tppTable string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("RouteKeysGuard",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if scope, ok := route.ScopeFrom(ctx); ok {
					if err := checkKeys(scope, portalTable, tppTable, in.Parameters); err != nil {
						return middleware.InitializeOutput{}, middleware.Metadata{}, err
					}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

// checkKeys checks every partition of the portal table and of the TPP table that params
// (a DynamoDB operation's input) reaches against scope.
func checkKeys(scope route.Scope, portalTable, tppTable string, params any) error {
	op, reaches := reachesOf(params)
	for _, r := range reaches {
		var keys route.Keys
		switch {
		case portalTable != "" && r.table == portalTable:
			keys = scope.Keys
		case tppTable != "" && r.table == tppTable:
			keys = scope.TPPKeys
		default:
			continue
		}
		if !keys.Covers(r.partition) || r.partition == "" {
			return &ErrOutsideKeys{Route: scope.Route, Operation: op, Index: r.index, Partition: r.partition, Keys: keys,
				TPP: r.table == tppTable}
		}
	}
	return nil
}

// reachesOf are the operation's name and the partitions its input reaches.
func reachesOf(params any) (string, []reach) {
	var rs []reach
	key := func(table *string, item map[string]types.AttributeValue) {
		rs = append(rs, reach{table: deref(table), partition: stringAttr(item[partitionAttr("")])})
	}
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		key(in.TableName, in.Key)
		return "GetItem", rs
	case *dynamodb.PutItemInput:
		key(in.TableName, in.Item)
		return "PutItem", rs
	case *dynamodb.UpdateItemInput:
		key(in.TableName, in.Key)
		return "UpdateItem", rs
	case *dynamodb.DeleteItemInput:
		key(in.TableName, in.Key)
		return "DeleteItem", rs
	case *dynamodb.QueryInput:
		index := deref(in.IndexName)
		pk := equalityValue(deref(in.KeyConditionExpression), partitionAttr(index), in.ExpressionAttributeNames, in.ExpressionAttributeValues)
		return "Query", []reach{{table: deref(in.TableName), index: index, partition: pk}}
	case *dynamodb.ScanInput:
		return "Scan", []reach{{table: deref(in.TableName), index: deref(in.IndexName)}}
	case *dynamodb.BatchGetItemInput:
		for table, ka := range in.RequestItems {
			for _, k := range ka.Keys {
				key(&table, k)
			}
		}
		return "BatchGetItem", rs
	case *dynamodb.BatchWriteItemInput:
		for table, reqs := range in.RequestItems {
			for _, w := range reqs {
				if w.PutRequest != nil {
					key(&table, w.PutRequest.Item)
				}
				if w.DeleteRequest != nil {
					key(&table, w.DeleteRequest.Key)
				}
			}
		}
		return "BatchWriteItem", rs
	case *dynamodb.TransactGetItemsInput:
		for _, it := range in.TransactItems {
			if it.Get != nil {
				key(it.Get.TableName, it.Get.Key)
			}
		}
		return "TransactGetItems", rs
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				key(it.Put.TableName, it.Put.Item)
			case it.Update != nil:
				key(it.Update.TableName, it.Update.Key)
			case it.Delete != nil:
				key(it.Delete.TableName, it.Delete.Key)
			case it.ConditionCheck != nil:
				key(it.ConditionCheck.TableName, it.ConditionCheck.Key)
			}
		}
		return "TransactWriteItems", rs
	}
	return fmt.Sprintf("%T", params), nil
}

// equalityRE finds the "name = :value" comparisons of a key condition.
var equalityRE = regexp.MustCompile(`(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)

// equalityValue is the string a key condition compares attribute attr to with "=", ""
// when it has none.
func equalityValue(cond, attr string, names map[string]string, values map[string]types.AttributeValue) string {
	for _, m := range equalityRE.FindAllStringSubmatch(cond, -1) {
		name := m[1]
		if strings.HasPrefix(name, "#") {
			name = names[name]
		}
		if name == attr {
			return stringAttr(values[m[2]])
		}
	}
	return ""
}

func stringAttr(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
