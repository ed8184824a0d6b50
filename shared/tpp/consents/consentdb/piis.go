package consentdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// PIIS keeps confirmation-of-funds consents in the TPP table.
type PIIS struct {
	db    DynamoDBAPI
	table string
}

var _ piis.Store = (*PIIS)(nil)

// NewPIIS is the store on the TPP table named table.
func NewPIIS(db DynamoDBAPI, table string) *PIIS { return &PIIS{db: db, table: table} }

func piisKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{tppdata.AttrPK: s("PIIS#" + id), tppdata.AttrSK: s("PIIS")}
}

func piisItem(c piis.Consent) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(c)
	if err != nil {
		return nil, fmt.Errorf("consentdb: marshal: %w", err)
	}
	for k, v := range piisKey(c.ID) {
		av[k] = v
	}
	// A confirmation-of-funds consent has no end date: it is kept until ended, and a
	// year after it was made at most.
	av[tppdata.AttrTTL] = n(c.CreatedAt.AddDate(1, 0, 0).Unix())
	return av, nil
}

// Create stores a new consent.
func (st *PIIS) Create(ctx context.Context, c piis.Consent) error {
	av, err := piisItem(c)
	if err != nil {
		return err
	}
	if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}); err != nil {
		return fmt.Errorf("consentdb: create %s: %w", c.ID, err)
	}
	return nil
}

// Get reads a consent.
func (st *PIIS) Get(ctx context.Context, id string) (piis.Consent, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: piisKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return piis.Consent{}, fmt.Errorf("consentdb: get %s: %w", id, err)
	}
	if out.Item == nil {
		return piis.Consent{}, consents.ErrNotFound
	}
	var c piis.Consent
	if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
		return piis.Consent{}, fmt.Errorf("consentdb: unmarshal %s: %w", id, err)
	}
	return c, nil
}

// Replace writes c over the stored consent if its status is still from.
func (st *PIIS) Replace(ctx context.Context, c piis.Consent, from consents.Status) error {
	av, err := piisItem(c)
	if err != nil {
		return err
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: av,
		ConditionExpression:      aws.String("attribute_exists(PK) AND #status = :from"),
		ExpressionAttributeNames: map[string]string{"#status": "consentStatus"}, ExpressionAttributeValues: map[string]types.AttributeValue{":from": s(string(from))}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return consents.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("consentdb: replace %s: %w", c.ID, err)
	}
	return nil
}
