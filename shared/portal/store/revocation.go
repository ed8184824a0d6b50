package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

var _ apps.RevocationStore = (*Orgs)(nil)

type caRevocationItem struct {
	Key
	apps.CARevocation
}

// RevokeCertificate marks the organization's certificate revoked (the lookup package's
// revokedAt, RFC 3339, which the TPP API's caller check reads, with revocationReason and
// who revoked it), with the sandbox CA's record if given and the audit entry, in one
// transaction. The mark requires the certificate to exist unrevoked, the CA's record that
// the serial number was not revoked before; either failing refuses the whole.
func (o *Orgs) RevokeCertificate(ctx context.Context, c apps.Certificate, ca *apps.CARevocation, audit org.AuditEntry) error {
	if c.RevokedAt == nil {
		return apperr.Wrap(errors.New("no revocation time"), "revoke certificate")
	}
	values := map[string]types.AttributeValue{":at": s(c.RevokedAt.UTC().Format(time.RFC3339)), ":reason": s(c.RevocationReason), ":by": s(c.RevokedBy)}
	expr := "SET #rev = :at, revocationReason = :reason, revokedBy = :by"
	if c.RevocationComment != "" {
		expr += ", revocationComment = :comment"
		values[":comment"] = s(c.RevocationComment)
	}
	mark := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(OrgCertificateKey(c.OrgID, c.Fingerprint)),
		UpdateExpression: aws.String(expr), ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(#rev)"),
		ExpressionAttributeNames: map[string]string{"#rev": lookup.AttrRevokedAt}, ExpressionAttributeValues: values}}
	writes := []workflow.Write{mark}
	if ca != nil {
		rec, err := o.put(caRevocationItem{Key: SandboxRevocationKey(ca.Serial), CARevocation: *ca}, "attribute_not_exists(PK)")
		if err != nil {
			return err
		}
		writes = append(writes, rec)
	}
	au, err := o.AuditWrite(audit)
	if err != nil {
		return err
	}
	return o.transact(ctx, apps.ErrAlreadyRevoked, append(writes, au)...)
}

// SandboxRevocations lists every revocation of the sandbox CA (consistent read).
func (o *Orgs) SandboxRevocations(ctx context.Context) ([]apps.CARevocation, error) {
	return queryItems(ctx, o, o.byPrefix(sandboxCA, revokedPrefix, true, 0), func(it caRevocationItem) apps.CARevocation { return it.CARevocation })
}

// SandboxRevocation returns the sandbox CA's revocation of a serial number.
func (o *Orgs) SandboxRevocation(ctx context.Context, serial string) (apps.CARevocation, error) {
	var it caRevocationItem
	err := o.get(ctx, SandboxRevocationKey(serial), &it, "revocation")
	return it.CARevocation, err
}

// NextCRLNumber adds one to the sandbox CA's CRL number and returns it: atomic, so two
// CRLs made at once never share a number.
func (o *Orgs) NextCRLNumber(ctx context.Context) (int64, error) {
	out, err := o.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &o.table, Key: keyAV(CRLNumberKey()),
		UpdateExpression:          aws.String("ADD #n :one"),
		ExpressionAttributeNames:  map[string]string{"#n": "number"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
		ReturnValues:              types.ReturnValueUpdatedNew})
	if err != nil {
		return 0, apperr.Wrap(err, "next CRL number")
	}
	n, ok := out.Attributes["number"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, apperr.Wrap(errors.New("no number returned"), "next CRL number")
	}
	return strconv.ParseInt(n.Value, 10, 64)
}
