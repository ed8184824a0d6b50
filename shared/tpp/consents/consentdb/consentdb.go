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

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/piis"
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

// The customer's index: GSI1 keys every approved consent under its customer, the kind
// first in the sort key so that each store queries its own kind (begins_with) in the
// order the consents were made. A consent is indexed from its approval on: before, it
// has no customer.
//
//	item                  GSI1PK                      GSI1SK
//	approved consent      PSU#<subject>#CONSENTS      AIS#<createdAt>#<id>
//	approved PIIS consent PSU#<subject>#CONSENTS      PIIS#<createdAt>#<id>
func customerIndex(subject string) string { return "PSU#" + subject + "#CONSENTS" }

func customerIndexSK(kind, id string, createdAt time.Time) string {
	return kind + "#" + createdAt.UTC().Format(sortableTime) + "#" + id
}

// sortableTime writes a time with a fixed width, so that its strings sort as the times.
const sortableTime = "2006-01-02T15:04:05.000000000Z"

// The kinds in the customer's index.
const (
	kindAIS  = "AIS"
	kindPIIS = "PIIS"
)

// indexCustomer adds the customer's index keys to the item av of an approved consent.
func indexCustomer(av map[string]types.AttributeValue, subject, kind, id string, createdAt time.Time) {
	av[tppdata.AttrGSI1PK] = s(customerIndex(subject))
	av[tppdata.AttrGSI1SK] = s(customerIndexSK(kind, id, createdAt))
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
	if c.Grant != nil {
		indexCustomer(av, c.Grant.Subject, kindAIS, c.ID, c.CreatedAt)
	}
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

// Replace writes c over the stored consent if its status is still from, with the items
// of notes in the same transaction.
func (st *Store) Replace(ctx context.Context, c consents.Consent, from consents.Status, notes ...notifylog.Delivery) error {
	av, err := item(c)
	if err != nil {
		return err
	}
	return replace(ctx, st.db, st.table, c.ID, av, from, notes)
}

// ConsentsOf lists the consents customer subject approved, newest first, limit at most:
// one query of the customer's index (eventually consistent, as every index is).
func (st *Store) ConsentsOf(ctx context.Context, subject string, limit int) ([]consents.Consent, error) {
	var out []consents.Consent
	err := approvedBy(ctx, st.db, st.table, subject, kindAIS, limit, func(item map[string]types.AttributeValue) error {
		var c consents.Consent
		if err := attributevalue.UnmarshalMap(item, &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// approvedBy queries the customer's index for the approved consents of kind of subject,
// newest first, and hands each item to add until limit were added.
func approvedBy(ctx context.Context, db DynamoDBAPI, table, subject, kind string, limit int, add func(map[string]types.AttributeValue) error) error {
	if limit <= 0 {
		return fmt.Errorf("consentdb: list the consents of %s: the limit %d is not positive", subject, limit)
	}
	in := &dynamodb.QueryInput{TableName: &table, IndexName: aws.String(tppdata.IndexGSI1), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :kind)"),
		ExpressionAttributeNames:  map[string]string{"#pk": tppdata.AttrGSI1PK, "#sk": tppdata.AttrGSI1SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(customerIndex(subject)), ":kind": s(kind + "#")},
		Limit:                     aws.Int32(int32(min(limit, 1000)))}
	added := 0
	pages := dynamodb.NewQueryPaginator(db, in)
	for pages.HasMorePages() && added < limit {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("consentdb: list the %s consents of %s: %w", kind, subject, err)
		}
		for _, item := range page.Items {
			if added == limit {
				break
			}
			if err := add(item); err != nil {
				return fmt.Errorf("consentdb: unmarshal a %s consent of %s: %w", kind, subject, err)
			}
			added++
		}
	}
	return nil
}

// create puts a new item of consent id, unless its key is taken.
func create(ctx context.Context, db DynamoDBAPI, table, id string, av map[string]types.AttributeValue) error {
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}); err != nil {
		return fmt.Errorf("consentdb: create %s: %w", id, err)
	}
	return nil
}

// ReadAheadKey is the item Get reads for consent id, for the caller check to read it
// ahead with the caller's items (prefetch).
func (st *Store) ReadAheadKey(id string) prefetch.Key {
	k, _ := prefetch.KeyOf(st.table, consentKey(id))
	return k
}

// get reads the item of consent id at key into dst, or answers consents.ErrNotFound: from
// ctx when the caller check read it ahead, else from the table.
func get(ctx context.Context, db DynamoDBAPI, table, id string, key map[string]types.AttributeValue, dst any) error {
	item, ahead := prefetch.Take(ctx, table, key)
	if !ahead {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return fmt.Errorf("consentdb: get %s: %w", id, err)
		}
		item = out.Item
	}
	if item == nil {
		return consents.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(item, dst); err != nil {
		return fmt.Errorf("consentdb: unmarshal %s: %w", id, err)
	}
	return nil
}

// replace writes the item of consent id over the stored one if its status is still from.
// replacement is the put of av over a stored consent of status from.
func replacement(table string, av map[string]types.AttributeValue, from consents.Status) *types.Put {
	return &types.Put{TableName: &table, Item: av,
		ConditionExpression:      aws.String("attribute_exists(PK) AND #status = :from"),
		ExpressionAttributeNames: map[string]string{"#status": "consentStatus"}, ExpressionAttributeValues: map[string]types.AttributeValue{":from": s(string(from))}}
}

// Replacement is the put of c over the stored account-information consent in the table
// named table, on condition that the stored one still has status from: for a transaction
// that changes consents with other items (a signing basket's authorisation).
func Replacement(table string, c consents.Consent, from consents.Status) (*types.Put, error) {
	av, err := item(c)
	if err != nil {
		return nil, err
	}
	return replacement(table, av, from), nil
}

// PIISReplacement is Replacement of a confirmation-of-funds consent.
func PIISReplacement(table string, c piis.Consent, from consents.Status) (*types.Put, error) {
	av, err := piisItem(c)
	if err != nil {
		return nil, err
	}
	return replacement(table, av, from), nil
}

func replace(ctx context.Context, db DynamoDBAPI, table, id string, av map[string]types.AttributeValue, from consents.Status, notes []notifylog.Delivery) error {
	put := replacement(table, av, from)
	if len(notes) > 0 {
		// The notifications of the change are queued with it, or not at all.
		items, err := notifylogdb.ItemsOf(table, notes)
		if err != nil {
			return err
		}
		_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{{Put: put}}, items...)})
		var canceled *types.TransactionCanceledException
		switch {
		case err == nil:
			return nil
		case errors.As(err, &canceled) && len(canceled.CancellationReasons) > 0 && aws.ToString(canceled.CancellationReasons[0].Code) == "ConditionalCheckFailed":
			return consents.ErrChanged
		}
		return fmt.Errorf("consentdb: replace %s: %w", id, err)
	}
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
		ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues})
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
