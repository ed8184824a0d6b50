// Package sfnengine runs the approval workflow on Step Functions: it starts executions and
// delivers decisions to the waiting task. It is its own package so that only the functions
// that start or decide approvals link the Step Functions client.
package sfnengine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/workflow"
)

// SFN is the subset of the Step Functions client the engine uses.
type SFN interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	SendTaskSuccess(context.Context, *sfn.SendTaskSuccessInput, ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(context.Context, *sfn.SendTaskFailureInput, ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	DescribeExecution(context.Context, *sfn.DescribeExecutionInput, ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// Engine starts approval executions and delivers decisions to them.
type Engine struct {
	client          SFN
	stateMachineARN string
}

// NewEngine returns the engine for one deployed approval state machine.
func NewEngine(client SFN, stateMachineARN string) *Engine {
	return &Engine{client: client, stateMachineARN: stateMachineARN}
}

// Start begins the workflow of one request; name must be unique per request (its ID),
// which also makes a retried start harmless.
func (e *Engine) Start(ctx context.Context, name string, in workflow.Input) (string, error) {
	if err := in.Check(); err != nil {
		return "", err
	}
	body, err := json.Marshal(in)
	if err != nil {
		return "", apperr.Wrap(err, "marshal workflow input")
	}
	out, err := e.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &e.stateMachineARN, Name: &name, Input: aws.String(string(body))})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return "", workflow.ErrAlreadyStarted
	}
	if err != nil {
		return "", apperr.Wrap(err, "start approval workflow")
	}
	return aws.ToString(out.ExecutionArn), nil
}

// Approve delivers an approving decision (Approved or NextStep) to the waiting task.
func (e *Engine) Approve(ctx context.Context, taskToken string, decision workflow.Effects) error {
	if err := decision.Check(); err != nil {
		return err
	}
	if decision.Outcome == "" {
		decision.Outcome = workflow.Approved
	}
	body, err := marshalPlain(decision)
	if err != nil {
		return apperr.Wrap(err, "marshal decision")
	}
	_, err = e.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &taskToken, Output: aws.String(string(body))})
	return taskError(err)
}

// Reject delivers a rejection; the workflow applies effects and ends.
func (e *Engine) Reject(ctx context.Context, taskToken string, effects workflow.Effects) error {
	if err := effects.Check(); err != nil {
		return err
	}
	body, err := marshalPlain(effects)
	if err != nil {
		return apperr.Wrap(err, "marshal rejection")
	}
	_, err = e.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: &taskToken, Error: aws.String(workflow.RejectedError), Cause: aws.String(string(body))})
	return taskError(err)
}

// marshalPlain is json.Marshal without escaping <, > and &: the HTML mail bodies would
// otherwise grow sixfold against Step Functions' 256 KiB output and 32 KiB cause limits.
func marshalPlain(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Status returns an execution's status (RUNNING, SUCCEEDED, FAILED, ...).
func (e *Engine) Status(ctx context.Context, executionARN string) (types.ExecutionStatus, error) {
	out, err := e.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &executionARN})
	if err != nil {
		return "", apperr.Wrap(err, "describe execution")
	}
	return out.Status, nil
}

func taskError(err error) error {
	var timedOut *types.TaskTimedOut
	var missing *types.TaskDoesNotExist
	var invalid *types.InvalidToken
	switch {
	case err == nil:
		return nil
	case errors.As(err, &timedOut), errors.As(err, &missing), errors.As(err, &invalid):
		return workflow.ErrDecided
	default:
		return apperr.Wrap(err, "deliver decision")
	}
}
