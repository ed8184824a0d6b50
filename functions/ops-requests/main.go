// Command ops-requests is the Lambda function of the portal route "ops-requests".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("ops-requests") }
