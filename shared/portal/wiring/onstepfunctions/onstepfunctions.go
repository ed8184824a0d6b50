// Package onstepfunctions is the portal's Workflow part: the approval state machine on
// Step Functions.
package onstepfunctions

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/workflow/sfnengine"
)

// Engine runs cfg's approval state machine.
func Engine(awsCfg aws.Config, cfg config.Config) approval.Engine {
	return sfnengine.NewEngine(sfn.NewFromConfig(awsCfg), cfg.ApprovalStateMachineARN)
}
