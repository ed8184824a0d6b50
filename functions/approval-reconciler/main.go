// Command approval-reconciler is the scheduled function that starts the approval workflow
// of requests whose first start failed.
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartJob("approval-reconciler") }
