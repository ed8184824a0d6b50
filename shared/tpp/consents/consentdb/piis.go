package consentdb

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/notifylog"
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
	if c.Subject != "" {
		indexCustomer(av, c.Subject, kindPIIS, c.ID, c.CreatedAt)
	}
	return av, nil
}

// ConsentsOf lists the confirmation-of-funds consents customer subject approved, newest
// first, limit at most: one query of the customer's index.
func (st *PIIS) ConsentsOf(ctx context.Context, subject string, limit int) ([]piis.Consent, error) {
	var out []piis.Consent
	err := approvedBy(ctx, st.db, st.table, subject, kindPIIS, limit, func(item map[string]types.AttributeValue) error {
		var c piis.Consent
		if err := attributevalue.UnmarshalMap(item, &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// Create stores a new consent.
func (st *PIIS) Create(ctx context.Context, c piis.Consent) error {
	av, err := piisItem(c)
	if err != nil {
		return err
	}
	return create(ctx, st.db, st.table, c.ID, av)
}

// Get reads a consent.
func (st *PIIS) Get(ctx context.Context, id string) (piis.Consent, error) {
	var c piis.Consent
	err := get(ctx, st.db, st.table, id, piisKey(id), &c)
	return c, err
}

// Replace writes c over the stored consent if its status is still from, with the items
// of notes in the same transaction.
func (st *PIIS) Replace(ctx context.Context, c piis.Consent, from consents.Status, notes ...notifylog.Delivery) error {
	av, err := piisItem(c)
	if err != nil {
		return err
	}
	return replace(ctx, st.db, st.table, c.ID, av, from, notes)
}
