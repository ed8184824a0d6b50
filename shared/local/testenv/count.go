package testenv

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
)

// CountCalls makes every client built from cfg afterwards count its AWS calls in the
// counter it returns, one per operation whatever its retries: the benchmarks' calls per
// operation, without a wrapper for each client interface.
func CountCalls(cfg *aws.Config) *atomic.Int64 {
	var n atomic.Int64
	count := middleware.InitializeMiddlewareFunc("CountCalls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		n.Add(1)
		return next.HandleInitialize(ctx, in)
	})
	cfg.APIOptions = append(cfg.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(count, middleware.Before)
	})
	return &n
}
