package awsclient

import (
	"context"
	"fmt"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/bank/devportal/shared/platform/route"
)

// NeedOf is the route need an AWS call belongs to, by the SDK's service ID and operation;
// false for a service no route declares.
func NeedOf(serviceID, operation string) (route.Need, bool) {
	switch serviceID {
	case "DynamoDB":
		return route.PortalTable, true
	case "Cognito Identity Provider":
		return route.UserPool, true
	case "SESv2":
		return route.Mail, true
	case "SFN":
		if operation == "SendTaskSuccess" || operation == "SendTaskFailure" {
			return route.DecideApproval, true
		}
		return route.StartApproval, true
	case "Secrets Manager":
		// Reading is what the CA's certificate needs; storing the CA's first value is for
		// the functions that hold the CA.
		if operation == "GetSecretValue" {
			return route.SandboxCACert, true
		}
		return route.SandboxCA, true
	case "S3":
		return route.PublishCRL, true
	case "API Gateway":
		return route.UsagePlans, true
	case "KMS":
		if operation == "GenerateMac" || operation == "VerifyMac" {
			return route.PasswordKey, true
		}
		return route.SessionKey, true
	}
	return 0, false
}

// ErrUndeclared is a call a route made without declaring its need.
type ErrUndeclared struct {
	ServiceID, Operation string
	Needs                route.Need
}

func (e *ErrUndeclared) Error() string {
	return fmt.Sprintf("awsclient: %s %s is called by a route whose needs are %s: declare the need in its route table line", e.ServiceID, e.Operation, e.Needs)
}

// guardNeeds refuses, before it is sent, an AWS call made for a route (route.WithNeeds)
// that did not declare the call's need. A deployed function has only its route's parts
// and grants anyway; the guard makes the same mistake fail in the tests and the local
// stack, which build every part, with a message that names it.
func guardNeeds(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("RouteNeedsGuard",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if needs, ok := route.NeedsFrom(ctx); ok {
				service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
				if need, known := NeedOf(service, op); !known || !needs.Has(need) {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &ErrUndeclared{ServiceID: service, Operation: op, Needs: needs}
				}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}
