// Package scadb keeps the authorisations of every resource that needs SCA (package sca)
// in the TPP table, beside the payments and consents they authorise.
//
//	item            PK                                  SK
//	authorisation   SCA#<kind>#<resourceId>             AUTH#<authorisationId>
//
// A resource's authorisations share its partition, so listing them is one strongly
// consistent Query. While a decoupled authorisation waits for its customer in the bank's
// app, GSI1 keys it under that customer:
//
//	GSI1PK                       GSI1SK
//	PSU#<customerId>#SCA         <createdAt>#<authorisationId>
//
// and the next write, which makes it final, drops those keys. Every write after the first
// is conditional on the version read. Items expire (TTL) after sca.Retention.
package scadb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// DynamoDB is what the store calls.
type DynamoDB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Store keeps authorisations in the TPP table.
type Store struct {
	db    DynamoDB
	table string
}

var _ sca.Store = (*Store)(nil)

// New is the store on the TPP table named table.
func New(db DynamoDB, table string) *Store { return &Store{db: db, table: table} }

// The only place that builds the keys of authorisation items.
func partition(kind sca.Kind, resourceID string) string {
	return "SCA#" + string(kind) + "#" + resourceID
}

const authPrefix = "AUTH#"

func key(ref sca.Ref) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s(partition(ref.Kind, ref.ResourceID)), tppdata.AttrSK: s(authPrefix + ref.ID)}
}

func waitingIndex(customerID string) string { return "PSU#" + customerID + "#SCA" }

func waitingSK(a sca.Authorisation) string {
	return a.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + a.ID
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// item is a as stored: its keys, its index keys while it waits in the bank's app, and its
// expiry.
func item(a sca.Authorisation) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(a)
	if err != nil {
		return nil, fmt.Errorf("scadb: marshal %s: %w", a.ID, err)
	}
	for k, v := range key(a.Ref()) {
		av[k] = v
	}
	if a.Approach == sca.Decoupled && a.Status == sca.Started && a.CustomerID != "" {
		av[tppdata.AttrGSI1PK] = s(waitingIndex(a.CustomerID))
		av[tppdata.AttrGSI1SK] = s(waitingSK(a))
	}
	av[tppdata.AttrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(a.CreatedAt.Add(sca.Retention).Unix(), 10)}
	return av, nil
}

// Create writes a new authorisation, on condition that its key is new.
func (st *Store) Create(ctx context.Context, a sca.Authorisation) error {
	av, err := item(a)
	if err != nil {
		return err
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("scadb: create %s: the ID is taken", a.ID)
	}
	if err != nil {
		return fmt.Errorf("scadb: create %s: %w", a.ID, err)
	}
	return nil
}

// Get reads an authorisation (strongly consistent).
func (st *Store) Get(ctx context.Context, ref sca.Ref) (sca.Authorisation, error) {
	var a sca.Authorisation
	if ref.Kind == "" || ref.ResourceID == "" || ref.ID == "" {
		return a, sca.ErrNotFound
	}
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(ref), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return a, fmt.Errorf("scadb: get: %w", err)
	}
	if out.Item == nil {
		return a, sca.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, &a); err != nil {
		return a, fmt.Errorf("scadb: unmarshal: %w", err)
	}
	return a, nil
}

// List reads a resource's authorisations, oldest first.
func (st *Store) List(ctx context.Context, kind sca.Kind, resourceID string) ([]sca.Authorisation, error) {
	in := &dynamodb.QueryInput{TableName: &st.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :auth)"),
		ExpressionAttributeNames: map[string]string{"#pk": tppdata.AttrPK, "#sk": tppdata.AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(partition(kind, resourceID)), ":auth": s(authPrefix),
		}}
	list, err := st.query(ctx, in, 0)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, func(a, b sca.Authorisation) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return list, nil
}

// query runs in page by page, limit items at most (0: all).
func (st *Store) query(ctx context.Context, in *dynamodb.QueryInput, limit int) ([]sca.Authorisation, error) {
	list := []sca.Authorisation{}
	for {
		out, err := st.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("scadb: query: %w", err)
		}
		for _, raw := range out.Items {
			var a sca.Authorisation
			if err := attributevalue.UnmarshalMap(raw, &a); err != nil {
				return nil, fmt.Errorf("scadb: unmarshal: %w", err)
			}
			list = append(list, a)
			if limit > 0 && len(list) == limit {
				return list, nil
			}
		}
		if out.LastEvaluatedKey == nil {
			return list, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// Replace writes a over the stored authorisation if its version is still from.
func (st *Store) Replace(ctx context.Context, a sca.Authorisation, from int) error {
	av, err := item(a)
	if err != nil {
		return err
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: av,
		ConditionExpression:      aws.String("attribute_exists(PK) AND #version = :from"),
		ExpressionAttributeNames: map[string]string{"#version": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":from": &types.AttributeValueMemberN{Value: strconv.Itoa(from)},
		}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return sca.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("scadb: replace %s: %w", a.ID, err)
	}
	return nil
}

// Started reads the customer's waiting decoupled authorisations from GSI1, newest first.
func (st *Store) Started(ctx context.Context, customerID string, limit int) ([]sca.Authorisation, error) {
	in := &dynamodb.QueryInput{TableName: &st.table, IndexName: aws.String(tppdata.IndexGSI1), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": tppdata.AttrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(waitingIndex(customerID))},
		Limit:                     aws.Int32(int32(limit))}
	return st.query(ctx, in, limit)
}
