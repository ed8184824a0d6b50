// Package consentdb keeps account-information consents and the count of their daily use
// in the TPP table.
package consentdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// DynamoDBAPI is the part of the DynamoDB client the store calls.
type DynamoDBAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store keeps consents in the TPP table.
type Store struct {
	db    DynamoDBAPI
	table string
}

var _ consents.Store = (*Store)(nil)

// New is the store on the TPP table named table.
func New(db DynamoDBAPI, table string) *Store { return &Store{db: db, table: table} }

// Retention is how long a consent stays after its last day (or after it was made, for
// one never approved), so a TPP asking about it still gets its final status.
const Retention = 30 * 24 * time.Hour

// The only place that builds the keys of consent items.
func consentKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("CONSENT#" + id), tppdata.AttrSK: s("CONSENT")}
}

func useKey(id, account, day string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("CONSENT#" + id), tppdata.AttrSK: s("USE#" + day + "#" + account)}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

// item is a consent as stored.
func item(c consents.Consent) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(c)
	if err != nil {
		return nil, fmt.Errorf("consentdb: marshal: %w", err)
	}
	for k, v := range consentKey(c.ID) {
		av[k] = v
	}
	end := c.CreatedAt
	if last, err := time.Parse(time.DateOnly, c.ValidUntil); err == nil && last.After(end) {
		end = last.Add(24 * time.Hour)
	}
	av[tppdata.AttrTTL] = n(end.Add(Retention).Unix())
	return av, nil
}

// Create stores a new consent.
func (st *Store) Create(ctx context.Context, c consents.Consent) error {
	av, err := item(c)
	if err != nil {
		return err
	}
	return create(ctx, st.db, st.table, c.ID, av)
}

// Get reads a consent.
func (st *Store) Get(ctx context.Context, id string) (consents.Consent, error) {
	var c consents.Consent
	err := get(ctx, st.db, st.table, id, consentKey(id), &c)
	return c, err
}

// Replace writes c over the stored consent if its status is still from.
func (st *Store) Replace(ctx context.Context, c consents.Consent, from consents.Status) error {
	av, err := item(c)
	if err != nil {
		return err
	}
	return replace(ctx, st.db, st.table, c.ID, av, from)
}

// create puts a new item of consent id, unless its key is taken.
func create(ctx context.Context, db DynamoDBAPI, table, id string, av map[string]types.AttributeValue) error {
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}); err != nil {
		return fmt.Errorf("consentdb: create %s: %w", id, err)
	}
	return nil
}

// get reads the item of consent id at key into dst, or answers consents.ErrNotFound.
func get(ctx context.Context, db DynamoDBAPI, table, id string, key map[string]types.AttributeValue, dst any) error {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("consentdb: get %s: %w", id, err)
	}
	if out.Item == nil {
		return consents.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, dst); err != nil {
		return fmt.Errorf("consentdb: unmarshal %s: %w", id, err)
	}
	return nil
}

// replace writes the item of consent id over the stored one if its status is still from.
func replace(ctx context.Context, db DynamoDBAPI, table, id string, av map[string]types.AttributeValue, from consents.Status) error {
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: av,
		ConditionExpression:      aws.String("attribute_exists(PK) AND #status = :from"),
		ExpressionAttributeNames: map[string]string{"#status": "consentStatus"}, ExpressionAttributeValues: map[string]types.AttributeValue{":from": s(string(from))}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return consents.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("consentdb: replace %s: %w", id, err)
	}
	return nil
}

// CountAccess adds one to the day's count of the account's reads under the consent,
// on condition that it is below limit: one conditional update, so concurrent reads cannot
// together pass the limit.
func (st *Store) CountAccess(ctx context.Context, consentID, accountID, day string, limit int) error {
	expires := time.Now().Add(48 * time.Hour)
	if d, err := time.Parse(time.DateOnly, day); err == nil {
		expires = d.Add(48 * time.Hour)
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: useKey(consentID, accountID, day),
		UpdateExpression:          aws.String("ADD #n :one SET #ttl = :ttl"),
		ConditionExpression:       aws.String("attribute_not_exists(#n) OR #n < :limit"),
		ExpressionAttributeNames:  map[string]string{"#n": "reads", "#ttl": tppdata.AttrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1), ":limit": n(int64(limit)), ":ttl": n(expires.Unix())}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return consents.ErrLimit
	}
	if err != nil {
		return fmt.Errorf("consentdb: count a read of %s: %w", consentID, err)
	}
	return nil
}
