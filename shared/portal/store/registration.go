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
	"github.com/bank/devportal/shared/portal/registration"
	"github.com/bank/devportal/shared/portal/workflow"
)

var _ registration.Store = (*Orgs)(nil)

type installationItem struct {
	Key
	registration.Installation
	TTL int64 `dynamodbav:"ttl"`
}

type registrationItem struct {
	Key
	registration.Registration
	Devices int `dynamodbav:"devices"`
}

type registrationRef struct {
	Key
	RegistrationID string `dynamodbav:"registrationId"`
}

type deviceItem struct {
	Key
	registration.Device
}

type regSessionItem struct {
	Key
	registration.Session
	TTL int64 `dynamodbav:"ttl"`
}

// CreateInstallation stores a new installation; DynamoDB's TTL removes it a day after it
// expires.
func (o *Orgs) CreateInstallation(ctx context.Context, in registration.Installation) error {
	w, err := o.put(installationItem{Key: InstallationKey(in.TokenHash), Installation: in, TTL: in.ExpiresAt.Add(24 * time.Hour).Unix()}, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, w)
}

// InstallationByToken finds an installation by the hash of its token.
func (o *Orgs) InstallationByToken(ctx context.Context, tokenHash string) (registration.Installation, error) {
	var it installationItem
	err := o.get(ctx, InstallationKey(tokenHash), &it, "installation")
	return it.Installation, err
}

// RegistrationWrites create the registration, reserve its API key and its certificate,
// and mark its installation registered: the installation write comes first, so a
// refusal of it is told apart (CreateRegistration).
func (o *Orgs) RegistrationWrites(r registration.Registration) ([]workflow.Write, error) {
	mark := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(InstallationKey(r.InstallationTokenHash)),
		UpdateExpression:          aws.String("SET registrationId = :r"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(registrationId)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": s(r.ID)}}}
	rw, err := o.put(registrationItem{Key: RegistrationKey(r.ID), Registration: r}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	kw, err := o.put(registrationRef{Key: RegistrationAPIKeyKey(r.APIKeyHash), RegistrationID: r.ID}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	cw, err := o.put(registrationRef{Key: RegisteredCertificateKey(r.CertFingerprint), RegistrationID: r.ID}, "attribute_not_exists(PK)")
	if err != nil {
		return nil, err
	}
	return []workflow.Write{mark, rw, kw, cw}, nil
}

// CreateRegistration stores the registration with the given writes in one transaction.
// A registered installation answers registration.ErrInstallationRegistered; any other
// refused condition a conflict.
func (o *Orgs) CreateRegistration(ctx context.Context, r registration.Registration, with ...workflow.Write) error {
	writes, err := o.RegistrationWrites(r)
	if err != nil {
		return err
	}
	items := make([]types.TransactWriteItem, 0, len(writes)+len(with))
	for _, w := range append(writes, with...) {
		items = append(items, types.TransactWriteItem{Put: w.Put, Update: w.Update, ConditionCheck: w.Check, Delete: w.Delete})
	}
	_, err = o.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		if conditionFailed(canceled, 0) {
			return registration.ErrInstallationRegistered
		}
		for i := range canceled.CancellationReasons {
			if conditionFailed(canceled, i) {
				return registration.ErrCertificateRegistered
			}
		}
		return &apperr.Error{Kind: apperr.Unavailable, Code: "BUSY", Message: "The service is busy; try again in a moment.", Cause: err}
	}
	if err != nil {
		return apperr.Wrap(err, "register")
	}
	return nil
}

// RegistrationByAPIKey finds a registration by the hash of its API key.
func (o *Orgs) RegistrationByAPIKey(ctx context.Context, keyHash string) (registration.Registration, error) {
	var ref registrationRef
	if err := o.get(ctx, RegistrationAPIKeyKey(keyHash), &ref, "API key"); err != nil {
		return registration.Registration{}, err
	}
	return o.GetRegistration(ctx, ref.RegistrationID)
}

// GetRegistration returns a registration.
func (o *Orgs) GetRegistration(ctx context.Context, id string) (registration.Registration, error) {
	var it registrationItem
	err := o.get(ctx, RegistrationKey(id), &it, "registration")
	return it.Registration, err
}

// AddDevice stores the device and counts it on its registration, refused at max.
func (o *Orgs) AddDevice(ctx context.Context, d registration.Device, max int) error {
	dw, err := o.put(deviceItem{Key: DeviceKey(d.RegistrationID, d.ID), Device: d}, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	count := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(RegistrationKey(d.RegistrationID)),
		UpdateExpression:          aws.String("SET devices = if_not_exists(devices, :zero) + :one"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(devices) OR devices < :max)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": n(0), ":one": n(1), ":max": n(max)}}}
	return o.transact(ctx, registration.ErrTooManyDevices, count, dw)
}

func n(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }

// Devices lists a registration's devices.
func (o *Orgs) Devices(ctx context.Context, registrationID string) ([]registration.Device, error) {
	return queryItems(ctx, o, o.byPrefix(RegistrationKey(registrationID).PK, devicePrefix, true, 0), func(it deviceItem) registration.Device { return it.Device })
}

// StartSession stores the session and counts it, if the registration's count is still
// r.Sessions.
func (o *Orgs) StartSession(ctx context.Context, r registration.Registration, sess registration.Session) error {
	sw, err := o.put(regSessionItem{Key: RegistrationSessionKey(sess.TokenHash), Session: sess, TTL: sess.ExpiresAt.Add(24 * time.Hour).Unix()}, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	count := workflow.Write{Update: &types.Update{TableName: &o.table, Key: keyAV(RegistrationKey(r.ID)),
		UpdateExpression: aws.String("SET sessions = :next"), ConditionExpression: aws.String("sessions = :read"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":next": n(r.Sessions + 1), ":read": n(r.Sessions)}}}
	return o.transact(ctx, errChanged, count, sw)
}

// Session finds a session by the hash of its token.
func (o *Orgs) Session(ctx context.Context, tokenHash string) (registration.Session, error) {
	var it regSessionItem
	err := o.get(ctx, RegistrationSessionKey(tokenHash), &it, "session")
	return it.Session, err
}

// EndSession deletes a session; ending one that is gone is no error.
func (o *Orgs) EndSession(ctx context.Context, tokenHash string) error {
	_, err := o.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &o.table, Key: keyAV(RegistrationSessionKey(tokenHash))})
	if err != nil {
		return apperr.Wrap(err, "end session")
	}
	return nil
}

type dynamicClientItem struct {
	Key
	registration.DynamicClient
}

// RegistrationByCertificate finds the registration that registered a certificate, by its
// SHA-256 fingerprint.
func (o *Orgs) RegistrationByCertificate(ctx context.Context, fingerprint string) (registration.Registration, error) {
	var ref registrationRef
	if err := o.get(ctx, RegisteredCertificateKey(fingerprint), &ref, "registered certificate"); err != nil {
		return registration.Registration{}, err
	}
	return o.GetRegistration(ctx, ref.RegistrationID)
}

// CreateDynamicClient stores a dynamic client; its client ID is new.
func (o *Orgs) CreateDynamicClient(ctx context.Context, c registration.DynamicClient) error {
	w, err := o.put(dynamicClientItem{Key: DynamicClientKey(c.ClientID), DynamicClient: c}, "attribute_not_exists(PK)")
	if err != nil {
		return err
	}
	return o.transact(ctx, errChanged, w)
}

// DynamicClient finds a dynamic client by its client ID.
func (o *Orgs) DynamicClient(ctx context.Context, clientID string) (registration.DynamicClient, error) {
	var it dynamicClientItem
	err := o.get(ctx, DynamicClientKey(clientID), &it, "dynamic client")
	return it.DynamicClient, err
}

// ReplaceDynamicClient stores c if its registration access token is still previousHash:
// of two calls with the same token, one wins.
func (o *Orgs) ReplaceDynamicClient(ctx context.Context, c registration.DynamicClient, previousHash string) error {
	w, err := o.ReplaceDynamicClientWrite(c, previousHash)
	if err != nil {
		return err
	}
	return o.transact(ctx, registration.ErrDCRToken, w)
}

// ReplaceDynamicClientWrite is ReplaceDynamicClient's write, for a transaction that
// changes the client's app too.
func (o *Orgs) ReplaceDynamicClientWrite(c registration.DynamicClient, previousHash string) (workflow.Write, error) {
	w, err := o.put(dynamicClientItem{Key: DynamicClientKey(c.ClientID), DynamicClient: c}, "tokenHash = :previous")
	if err != nil {
		return workflow.Write{}, err
	}
	w.Put.ExpressionAttributeValues = map[string]types.AttributeValue{":previous": s(previousHash)}
	return w, nil
}

// DeleteDynamicClient deletes a dynamic client; deleting one that is gone is no error.
func (o *Orgs) DeleteDynamicClient(ctx context.Context, clientID string) error {
	_, err := o.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &o.table, Key: keyAV(DynamicClientKey(clientID))})
	if err != nil {
		return apperr.Wrap(err, "delete dynamic client")
	}
	return nil
}
